using System.Net;
using MlOps.Ingestion;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Stack;

namespace MlOps.IntegrationTests.Ingestion;

/// <summary>Inputs are counted once their outputs are acknowledged, so a batch that fails and is retried counts once.</summary>
public sealed partial class IngestionPipelineTests
{
    [Fact]
    public async Task A_batch_whose_writes_fail_and_is_retried_counts_each_input_once()
    {
        // An event type of this run's own: the counters are process-wide.
        var type = "retry_" + _run;
        var spec = Path.Combine(Directory.CreateTempSubdirectory("mlops-spec-").FullName, "spec.yaml");
        File.WriteAllText(spec, TestSpec.Yaml.Replace("flight_departure:", type + ":", StringComparison.Ordinal));
        var now = DateTime.UtcNow;
        var batch = new[] { Departure("retry-valid", now, type: type), Departure("retry-bad", now, type: type, distance: -5) };
        foreach (var e in batch)
        {
            e.producer.producer_id = new string('p', 1500); // both outputs end up over 1000 bytes
        }
        var body = $"[{string.Join(",", batch.Select(Json))}]";
        var settings = new Dictionary<string, string?>
        {
            ["Ingestion:SpecPath"] = spec,
            ["Ingestion:GroupId"] = StackFixture.NewGroupId("ingestion"),
        };

        // First attempt: the producer refuses records over 1000 bytes, so every write of the batch fails.
        await using (var failing = await InProcessService.StartAsync(stack.Endpoints, b => b.BuildIngestionApp(),
            new Dictionary<string, string?>(settings) { ["Kafka:Producer:message.max.bytes"] = "1000" }))
        {
            using var refused = await failing.Client.PostAsync(EventsEndpointPath, JsonBody(body));
            output.WriteLine($"{(int)refused.StatusCode} {await refused.Content.ReadAsStringAsync()}");
            Assert.NotEqual(HttpStatusCode.Accepted, refused.StatusCode);
        }
        Assert.Equal((0, 0), (Count(type, "validated"), Count(type, "quarantined")));

        // The retry goes through (the failed attempt gave its claim back) and is what gets counted.
        await using var service = await InProcessService.StartAsync(stack.Endpoints, b => b.BuildIngestionApp(), settings);
        using var accepted = await service.Client.PostAsync(EventsEndpointPath, JsonBody(body));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal((1, 1, 0), (Count(type, "validated"), Count(type, "quarantined"), Count(type, "duplicate")));
    }

    private static double Count(string eventType, string outcome) => IngestionMetrics.Events.WithLabels("http", eventType, outcome).Value;
}
