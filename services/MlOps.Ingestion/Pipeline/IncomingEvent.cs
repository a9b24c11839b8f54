using MlOps.Common.Validation;
using MlOps.Contracts;

namespace MlOps.Ingestion.Pipeline;

/// <summary>
/// One input, from Kafka or HTTP, as far as it could be decoded: either an envelope or the reason it is not one.
/// The raw bytes travel along so a quarantined input keeps exactly what arrived.
/// </summary>
public sealed record IncomingEvent(
    EventSource Source,
    byte[]? RawKey,
    byte[] RawValue,
    EventEnvelope? Envelope,
    RuleViolation? DecodeFailure,
    string? TraceParent)
{
    public static IncomingEvent Decoded(EventSource source, byte[]? key, byte[] raw, EventEnvelope envelope, string? traceParent) =>
        new(source, key, raw, envelope, null, traceParent);

    public static IncomingEvent Undecodable(EventSource source, byte[]? key, byte[] raw, RuleViolation reason, string? traceParent) =>
        new(source, key, raw, null, reason, traceParent);
}
