namespace MlOps.Common.Avro;

/// <summary>
/// Caps applied to untrusted Avro payloads before any decoder sees them. Apache.Avro trusts declared
/// lengths and counts, so without these caps a few bytes can make it allocate gigabytes.
/// </summary>
public sealed record AvroLimits
{
    /// <summary>Deepest nesting accepted when <see cref="MaxDepth"/> is configured: the guard recurses, so this bounds its stack use.</summary>
    public const int DepthCeiling = 1024;

    public static AvroLimits Default { get; } = new();

    /// <summary>Largest Avro body (after the 5-byte Confluent header), in bytes.</summary>
    public int MaxPayloadBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Most array items plus map entries in one message. Zero-byte items (null, empty records) make byte limits
    /// useless against count bombs, so items are capped on their own.
    /// </summary>
    public long MaxCollectionItems { get; init; } = 100_000;

    /// <summary>Deepest nesting of records, arrays and maps; this is what stops recursive schemas.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Throws with the name of the first setting that is out of range.</summary>
    public AvroLimits Validated()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPayloadBytes, nameof(MaxPayloadBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxCollectionItems, nameof(MaxCollectionItems));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDepth, nameof(MaxDepth));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDepth, DepthCeiling, nameof(MaxDepth));
        return this;
    }
}
