namespace MlOps.Inference.Serving;

/// <summary>
/// One instance to score, from a validated event (with its Kafka source) or from <c>POST /v1/predict</c>.
/// <paramref name="EventTimeMs"/> is the time features are read at: the event's own time, so a replayed stream is
/// scored with the features it would have seen then.
/// </summary>
public sealed record ScoringRequest(
    string? EventId,
    string? RequestId,
    string TenantId,
    string EntityId,
    string EventType,
    long EventTimeMs,
    IReadOnlyDictionary<string, object?> Attributes,
    ScoringSource Source);

/// <summary>Where a request came from, for lineage: a topic partition and offset, or an HTTP request.</summary>
public sealed record ScoringSource(string Topic, int? Partition, long? Offset, string? TraceParent);
