using MlOps.Common.Validation;

namespace MlOps.Ingestion.Pipeline;

public enum Outcome
{
    Validated,
    Quarantined,
    Duplicate,
}

/// <summary>What became of one input; HTTP callers get these back one per event.</summary>
public sealed record IngestionOutcome(string? EventId, Outcome Outcome, IReadOnlyList<RuleViolation> Reasons);
