using MlOps.Ingestion;
using MlOps.Stack;

namespace MlOps.Benchmarks;

/// <summary>The Ingestion service, built as its Program.cs builds it, inside the benchmark process.</summary>
internal static class InProcessIngestion
{
    /// <summary>
    /// librdkafka's mock broker holds a Fetch that finds no data for the full fetch.wait.max.ms (500 ms by default)
    /// instead of answering when data arrives, as a real broker does; paced latencies then measure that wait, not
    /// the consumer. Both the service and the pass-through use this shorter wait.
    /// </summary>
    public const int FetchWaitMaxMs = 10;

    public static Task<InProcessService> StartAsync(StackEndpoints stack, string specPath, string? groupId = null) =>
        InProcessService.StartAsync(stack, b => b.BuildIngestionApp(), new Dictionary<string, string?>
        {
            ["Ingestion:SpecPath"] = specPath,
            ["Ingestion:GroupId"] = groupId ?? "bench-ingestion-" + Guid.NewGuid().ToString("N"),
            ["Kafka:Consumer:fetch.wait.max.ms"] = FetchWaitMaxMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
}
