using MlOps.Ingestion.Pipeline;

namespace MlOps.Ingestion.Http;

/// <summary>The 202 body: counts and one outcome per event, in request order.</summary>
public sealed record EventsResponse(int Validated, int Quarantined, int Duplicates, IReadOnlyList<EventOutcome> Outcomes)
{
    public static EventsResponse From(IReadOnlyList<IngestionOutcome> outcomes) => new(
        outcomes.Count(o => o.Outcome == Outcome.Validated),
        outcomes.Count(o => o.Outcome == Outcome.Quarantined),
        outcomes.Count(o => o.Outcome == Outcome.Duplicate),
        outcomes.Select((o, i) => new EventOutcome(i, o.EventId, o.Outcome.ToString().ToLowerInvariant(), o.Reasons.Count > 0 ? o.Reasons : null)).ToList());
}
