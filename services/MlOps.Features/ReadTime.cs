using System.Globalization;

namespace MlOps.Features;

/// <summary>
/// The time a read is made at, for GET's <c>?at=</c> and POST's <c>"at"</c> alike: now when none is given; a time
/// with a UTC offset (or Z) is that instant; a time without one is UTC, never the server's local time, so the same
/// <c>at</c> reads the same values whichever endpoint and whatever zone the server runs in.
/// </summary>
internal static class ReadTime
{
    /// <summary>GET's <c>?at=</c> (RFC 3339); null when the text is not a time.</summary>
    public static DateTime? Parse(string? at, TimeProvider clock) =>
        at is null
            ? Resolve(null, clock)
            : DateTime.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) ? Resolve(parsed, clock) : null;

    /// <summary>POST's <c>"at"</c> as JSON binds it: Unspecified without an offset, Local with one, Utc with Z.</summary>
    public static DateTime Resolve(DateTime? at, TimeProvider clock) => at switch
    {
        null => clock.GetUtcNow().UtcDateTime,
        { Kind: DateTimeKind.Unspecified } time => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        { } time => time.ToUniversalTime(),
    };
}
