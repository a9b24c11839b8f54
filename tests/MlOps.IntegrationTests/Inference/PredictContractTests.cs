using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Inference;
using MlOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static MlOps.IntegrationTests.Inference.InferenceScenario;

namespace MlOps.IntegrationTests.Inference;

/// <summary>POST /v1/predict checks attribute values against the event type's data contract before scoring.</summary>
[Collection(StackCollection.Name)]
public sealed class PredictContractTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task A_wrongly_typed_or_out_of_contract_attribute_is_a_400_naming_its_instance_and_attribute()
    {
        var scenario = Create();
        var (scored, predictions) = (await stack.CreateTopicAsync("predict-contract", 1), await stack.CreateTopicAsync("predict-contract-predictions", 1));
        await using var inference = await StartInferenceAsync(stack.Endpoints, scenario.InferenceSettings(scored, predictions));
        var instances = scenario.Departures("c", 3, seed: 1, DateTime.UtcNow.AddMinutes(-1), TimeSpan.FromSeconds(1));
        instances[1].attributes["distance"] = "2475 miles";
        instances[2].attributes["dep_hour"] = 24L;
        var body = instances.Select(e => new Dictionary<string, object?>
        {
            ["event_id"] = e.event_id,
            ["tenant_id"] = e.tenant_id,
            ["entity_id"] = e.entity_id,
            ["event_type"] = e.event_type,
            ["event_time"] = e.event_time.ToString("O"),
            ["attributes"] = e.attributes,
        }).ToList();

        using var response = await inference.Client.PostAsJsonAsync(PredictEndpoint.Path, body);
        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine(text);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => e.GetProperty("pointer").GetString() + " " + e.GetProperty("message").GetString()).ToList();
        Assert.Equal(2, errors.Count);
        Assert.StartsWith("/1/attributes/distance type: expected double, got string", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("/2/attributes/dep_hour max: 24 is above the maximum 23", errors[1], StringComparison.Ordinal);
    }
}
