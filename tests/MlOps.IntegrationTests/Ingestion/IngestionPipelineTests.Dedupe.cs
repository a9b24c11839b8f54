using System.Net;
using System.Text.Json;
using MlOps.Contracts;
using MlOps.Ingestion;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Stack;

namespace MlOps.IntegrationTests.Ingestion;

/// <summary>Dedupe holds only validated event ids: a quarantined event's corrected re-send under the same id goes through.</summary>
public sealed partial class IngestionPipelineTests
{
    [Fact]
    public async Task A_corrected_quarantined_event_is_validated_under_the_same_id_and_a_validated_one_stays_deduplicated()
    {
        await using var service = await InProcessService.StartAsync(stack.Endpoints, b => b.BuildIngestionApp(), new Dictionary<string, string?>
        {
            ["Ingestion:SpecPath"] = TestSpec.WriteTemp(),
            ["Ingestion:GroupId"] = StackFixture.NewGroupId("ingestion"),
        });
        var now = DateTime.UtcNow;

        async Task<string[]> Post(params EventEnvelope[] events)
        {
            using var response = await service.Client.PostAsync(EventsEndpointPath, JsonBody($"[{string.Join(",", events.Select(Json))}]"));
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            output.WriteLine(body.ToString());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return body.GetProperty("outcomes").EnumerateArray().Select(o => o.GetProperty("outcome").GetString()!).ToArray();
        }

        // Across requests: quarantined, then corrected and validated, then an exact repeat is a duplicate.
        Assert.Equal(["quarantined"], await Post(Departure("fixed", now, distance: -5)));
        Assert.Equal(["validated"], await Post(Departure("fixed", now)));
        Assert.Equal(["duplicate"], await Post(Departure("fixed", now)));
        // Within one request: a bad copy before the good one does not block it; a bad copy after it is a duplicate.
        Assert.Equal(["quarantined", "validated", "validated", "duplicate", "duplicate"], await Post(
            Departure("in-batch", now, distance: -5), Departure("in-batch", now),
            Departure("repeat", now), Departure("repeat", now), Departure("repeat", now, distance: -5)));

        var validated = ReadMine<EventEnvelope>(TopicCatalog.EventsValidated, 3, e => e.Message.Value.event_id.EndsWith(_run, StringComparison.Ordinal));
        Assert.Equal(["fixed", "in-batch", "repeat"], validated.Select(v => Name(v.Message.Value.event_id)).Order(StringComparer.Ordinal));
        Assert.Equal(2475, Convert.ToDouble(validated.Single(v => Name(v.Message.Value.event_id) == "fixed").Message.Value.attributes["distance"], System.Globalization.CultureInfo.InvariantCulture));
        var quarantined = ReadMine<QuarantinedEvent>(TopicCatalog.EventsQuarantine, 2, q => q.Message.Value.event_id?.EndsWith(_run, StringComparison.Ordinal) == true);
        Assert.Equal(["fixed", "in-batch"], quarantined.Select(q => Name(q.Message.Value.event_id!)).Order(StringComparer.Ordinal));
    }
}
