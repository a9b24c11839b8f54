namespace MlOps.Common.Validation;

/// <summary>An event as the validator sees it, whichever way it came in (Avro from Kafka or JSON over HTTP).</summary>
/// <param name="EventTime">UTC.</param>
/// <param name="Attributes">Values are null, bool, long, double or string (the Avro union of EventEnvelope).</param>
/// <param name="SizeBytes">Encoded size as received, for <c>max_event_bytes</c>.</param>
public sealed record EventCandidate(
    string EventId,
    string TenantId,
    string EntityId,
    string EventType,
    DateTime EventTime,
    IReadOnlyDictionary<string, object?> Attributes,
    int SizeBytes);
