using MlOps.Common.Kafka;

namespace MlOps.Ingestion.Pipeline;

/// <summary>
/// Some events of a batch are being accepted by another input right now (or by an attempt that died, until its pending
/// claim expires), so whether they are duplicates is not known yet. Nothing of the batch was published. Transient: the
/// Kafka worker retries the batch with backoff (never dead-letters it), HTTP answers 503 with Retry-After.
/// </summary>
public sealed class EventsInFlightException(IReadOnlyList<InFlightEvent> events) : TransientFailureException(Describe(events))
{
    public IReadOnlyList<InFlightEvent> Events { get; } = events;

    /// <summary>The longest any of the holders' claims may still live: after it, every one is settled or expired.</summary>
    public TimeSpan? LongestWait => Events.Max(e => e.ExpiresIn);

    private static string Describe(IReadOnlyList<InFlightEvent> events) =>
        $"{events.Count} event(s) in flight elsewhere: " + string.Join(", ", events.Take(10).Select(e => $"{e.EventId} (held by {e.Holder})"))
        + (events.Count > 10 ? ", ..." : "");
}
