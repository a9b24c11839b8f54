using System.Text.Json.Serialization;
using MlOps.Common.Validation;

namespace MlOps.Ingestion.Http;

/// <summary>What became of one event of a request: validated, quarantined (with reasons) or duplicate.</summary>
public sealed record EventOutcome(
    int Index,
    [property: JsonPropertyName("event_id")] string? EventId,
    string Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RuleViolation>? Reasons);
