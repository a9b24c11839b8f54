namespace MlOps.Inference;

/// <summary>
/// How the inference process should be run. A predict request allocates ~50 KB (request, features, prediction,
/// response); with the runtime's default gen0 budget the gen0 collections (~1 ms each) land in more than 1 % of the
/// requests and set POST /v1/predict's p99 (measurements: README, Benchmarks). The runtime reads this budget only
/// from the environment (a runtimeconfig property is ignored), so <c>mlops up</c>, the Helm chart
/// (<c>inference.gcGen0Size</c>) and the benchmark set the variable.
/// </summary>
public static class InferenceRuntime
{
    public const string Gen0BudgetVariable = "DOTNET_GCgen0size";

    /// <summary>64 MB per GC heap (hex, as the runtime reads it).</summary>
    public const string Gen0Budget = "0x4000000";
}
