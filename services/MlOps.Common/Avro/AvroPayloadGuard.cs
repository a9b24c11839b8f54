using System.Text;

namespace MlOps.Common.Avro;

/// <summary>
/// Checks an Avro binary body against its writer schema before any decoder runs, because Apache.Avro
/// allocates whatever a declared length asks for. Pure and allocation-free when the payload is valid.
/// </summary>
public static class AvroPayloadGuard
{
    private const int PathSegmentsShownAtEachEnd = 4;

    /// <summary>
    /// Walks <paramref name="avroBody"/> (the bytes after the 5-byte Confluent header) against
    /// <paramref name="writerSchema"/>. Offsets in reasons are relative to the start of the body.
    /// </summary>
    public static AvroGuardResult Check(ReadOnlySpan<byte> avroBody, global::Avro.Schema writerSchema, AvroLimits limits)
    {
        ArgumentNullException.ThrowIfNull(writerSchema);
        ArgumentNullException.ThrowIfNull(limits);
        if (avroBody.Length > limits.MaxPayloadBytes)
        {
            return AvroGuardResult.Rejected($"payload of {avroBody.Length} bytes exceeds MaxPayloadBytes {limits.MaxPayloadBytes}");
        }
        var walker = new AvroBinaryWalker(avroBody, limits);
        return walker.WalkToEnd(writerSchema)
            ? AvroGuardResult.Valid
            : AvroGuardResult.Rejected(Describe(walker.PathInnermostFirst, walker.Error, writerSchema));
    }

    private static string Describe(IReadOnlyList<string> innermostFirst, string error, global::Avro.Schema schema)
    {
        if (innermostFirst.Count == 0)
        {
            return $"{schema.Tag.ToString().ToLowerInvariant()} '{schema.Fullname}': {error}";
        }
        var path = new StringBuilder("field '");
        for (var i = innermostFirst.Count - 1; i >= 0; i--)
        {
            var fromOuter = innermostFirst.Count - 1 - i;
            // Recursive schemas give paths hundreds of segments long; the ends say where, the middle repeats.
            if (fromOuter == PathSegmentsShownAtEachEnd && i >= PathSegmentsShownAtEachEnd)
            {
                path.Append($".({i - PathSegmentsShownAtEachEnd + 1} more)");
                i = PathSegmentsShownAtEachEnd - 1;
            }
            var segment = innermostFirst[i];
            if (path.Length > "field '".Length && !segment.StartsWith('['))
            {
                path.Append('.');
            }
            path.Append(segment);
        }
        return path.Append("': ").Append(error).ToString();
    }
}
