namespace MlOps.Cli;

/// <summary>A platform service `mlops up` runs next to the stack, and the stack.env variable its URL goes to.</summary>
/// <param name="Runtime">Environment the service's process runs with (runtime settings such as the GC's), if any.</param>
public sealed record ServiceDefinition(string Name, string Assembly, string UrlVariable, IReadOnlyDictionary<string, string>? Runtime = null);

/// <summary>The services `up` starts, in start order. Later services join this list as they are built.</summary>
public static class ServiceCatalog
{
    public static IReadOnlyList<ServiceDefinition> All { get; } =
    [
        new("ingestion", "MlOps.Ingestion", "INGESTION_URL"),
        new("features", "MlOps.Features", "FEATURES_URL"),
        new("inference", "MlOps.Inference", "INFERENCE_URL",
            new Dictionary<string, string> { [MlOps.Inference.InferenceRuntime.Gen0BudgetVariable] = MlOps.Inference.InferenceRuntime.Gen0Budget }),
        new("rollout", "MlOps.Rollout", "ROLLOUT_URL"),
    ];
}
