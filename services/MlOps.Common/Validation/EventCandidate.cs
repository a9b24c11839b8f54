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
    int SizeBytes)
{
    private static readonly IReadOnlyDictionary<string, object?> NoAttributes = new Dictionary<string, object?>();

    /// <summary>The candidate an envelope is, <paramref name="sizeBytes"/> as it was received.</summary>
    public static EventCandidate Of(MlOps.Contracts.EventEnvelope envelope, int sizeBytes) => new(
        envelope.event_id ?? "", envelope.tenant_id ?? "", envelope.entity_id ?? "", envelope.event_type ?? "",
        DateTime.SpecifyKind(envelope.event_time, DateTimeKind.Utc),
        envelope.attributes is null ? NoAttributes : envelope.attributes.AsReadOnly()!,
        sizeBytes);
}
