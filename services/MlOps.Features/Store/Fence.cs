using System.Globalization;

namespace MlOps.Features.Store;

/// <summary>
/// What the store has applied from one source partition: the last offset and the partition's event-time watermark
/// (the newest event time seen). Written in the same atomic Redis call as the batch's effects, so a replayed offset
/// is recognised and skipped, and lateness is judged the same way by any instance on any replay.
/// </summary>
public readonly record struct Fence(long Offset, long WatermarkMs)
{
    public static readonly Fence Start = new(-1, long.MinValue);

    public string Encode() => string.Create(CultureInfo.InvariantCulture, $"{Offset}:{WatermarkMs}");

    public static Fence Decode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Start;
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return new Fence(long.Parse(text.AsSpan(0, colon), CultureInfo.InvariantCulture), long.Parse(text.AsSpan(colon + 1), CultureInfo.InvariantCulture));
    }

    /// <summary>Events older than this are late for a view with <paramref name="allowedLateness"/>.</summary>
    public bool IsLate(long eventTimeMs, TimeSpan allowedLateness) =>
        WatermarkMs != long.MinValue && eventTimeMs < WatermarkMs - (long)allowedLateness.TotalMilliseconds;
}
