namespace MlOps.Inference;

/// <summary>
/// How the inference process should be run. A predict request allocates ~50 KB (request, features, prediction,
/// response); with the default gen0 budget that is a gen0 collection every ~130 requests, each ~1 ms, which is what
/// set POST /v1/predict's p99 (measured: 23 collections per 3,000 requests, p99 overhead 0.73–1.12 ms; with a
/// 64 MB budget 2 collections and 0.57–0.74 ms). The runtime reads this budget only from the environment (a
/// runtimeconfig property is ignored), so <c>mlops up</c>, the Helm chart and the benchmark set the variable.
/// </summary>
public static class InferenceRuntime
{
    public const string Gen0BudgetVariable = "DOTNET_GCgen0size";

    /// <summary>64 MB per GC heap (hex, as the runtime reads it).</summary>
    public const string Gen0Budget = "0x4000000";
}
