using MlOps.Ingestion;
using MlOps.Stack;

namespace MlOps.Benchmarks;

/// <summary>The Ingestion service, built as its Program.cs builds it, inside the benchmark process.</summary>
internal static class InProcessIngestion
{
    public static Task<InProcessService> StartAsync(StackEndpoints stack, string specPath) =>
        InProcessService.StartAsync(stack, b => b.BuildIngestionApp(), new Dictionary<string, string?>
        {
            ["Ingestion:SpecPath"] = specPath,
            ["Ingestion:GroupId"] = "bench-ingestion-" + Guid.NewGuid().ToString("N"),
        });
}
