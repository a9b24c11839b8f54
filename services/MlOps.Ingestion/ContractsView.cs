using MlOps.Common.Spec;

namespace MlOps.Ingestion;

/// <summary>GET /v1/contracts: which spec and contract versions are in force, for producers and operators.</summary>
public sealed record ContractsView(string Spec, string Version, IReadOnlyDictionary<string, ContractSummary> Contracts)
{
    public static ContractsView From(PlatformSpec spec) => new(
        spec.Name,
        spec.VersionTag,
        spec.Contracts.ToDictionary(c => c.Key, c => new ContractSummary(
            c.Value.Version,
            c.Value.Attributes.Values.Where(a => a.Required).Select(a => a.Name).Order(StringComparer.Ordinal).ToList(),
            c.Value.Attributes.Values.Where(a => !a.Required).Select(a => a.Name).Order(StringComparer.Ordinal).ToList())));
}
