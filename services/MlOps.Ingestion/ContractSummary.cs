namespace MlOps.Ingestion;

public sealed record ContractSummary(string Version, IReadOnlyList<string> Required, IReadOnlyList<string> Optional);
