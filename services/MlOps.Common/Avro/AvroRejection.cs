namespace MlOps.Common.Avro;

/// <summary>Why an Avro payload was refused.</summary>
public enum AvroRejection
{
    /// <summary>Not a well-formed Confluent Avro message for its writer schema (bad header, bad lengths, truncated...).</summary>
    Malformed,

    /// <summary>The schema id in the header is not registered (or not an Avro schema).</summary>
    UnknownSchema,

    /// <summary>Larger than the configured payload cap.</summary>
    Oversize,
}
