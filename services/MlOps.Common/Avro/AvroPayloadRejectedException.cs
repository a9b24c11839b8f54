namespace MlOps.Common.Avro;

/// <summary>
/// The bytes are not a safe, well-formed Avro message. This is a property of the message, not of the
/// system: a consumer should route the raw bytes to its DLQ with <see cref="Reason"/> and move on, never retry.
/// </summary>
public sealed class AvroPayloadRejectedException : Exception
{
    public AvroPayloadRejectedException(
        string reason, int? schemaId = null, Exception? innerException = null, AvroRejection kind = AvroRejection.Malformed)
        : base(schemaId is null ? $"Avro payload rejected: {reason}" : $"Avro payload rejected (schema id {schemaId}): {reason}", innerException)
    {
        Reason = reason;
        SchemaId = schemaId;
        Kind = kind;
    }

    /// <summary>What kind of problem, for consumers that report reasons by category (quarantine rule codes).</summary>
    public AvroRejection Kind { get; }

    /// <summary>Why the payload was rejected; safe to put on a DLQ header (never contains payload bytes).</summary>
    public string Reason { get; }

    /// <summary>Schema id from the Confluent header, when the header was readable.</summary>
    public int? SchemaId { get; }
}
