using System.Globalization;

namespace MlOps.Common.Features;

/// <summary>
/// A value with the event time it was seen at, for <c>last</c> aggregations: encoded <c>timeMs|typed value</c>.
/// The later event wins; on equal times the ordinally greater encoding (UTF-16 code units) wins, so the outcome does
/// not depend on order. The Features apply script (apply.lua) merges stored values by exactly this rule.
/// </summary>
public static class LatestValue
{
    public static string Encode(long eventTimeMs, object value) =>
        $"{eventTimeMs.ToString(CultureInfo.InvariantCulture)}|{FeatureValueCodec.Encode(value)}";

    public static (long EventTimeMs, object? Value) Decode(string text)
    {
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        return (long.Parse(text.AsSpan(0, bar), CultureInfo.InvariantCulture), FeatureValueCodec.Decode(text[(bar + 1)..]));
    }

    public static string Merge(string? current, string incoming)
    {
        if (current is null)
        {
            return incoming;
        }
        var (a, b) = (Decode(current).EventTimeMs, Decode(incoming).EventTimeMs);
        return b > a || (b == a && string.CompareOrdinal(incoming, current) > 0) ? incoming : current;
    }
}

/// <summary>Attribute values as text that keeps their type: <c>s:JFK</c>, <c>l:17</c>, <c>d:2475.5</c>, <c>b:1</c>.</summary>
public static class FeatureValueCodec
{
    public static string Encode(object value) => value switch
    {
        string s => "s:" + s,
        long l => "l:" + l.ToString(CultureInfo.InvariantCulture),
        int i => "l:" + i.ToString(CultureInfo.InvariantCulture),
        double d => "d:" + d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "b:1" : "b:0",
        _ => throw new ArgumentException($"unsupported attribute value type {value.GetType().Name}", nameof(value)),
    };

    public static object? Decode(string text) => text.Length < 2 ? null : text[0] switch
    {
        's' => text[2..],
        'l' => long.Parse(text.AsSpan(2), CultureInfo.InvariantCulture),
        // A non-finite number stored before validation refused them reads as absent: JSON cannot carry it, and the read
        // API would fail on the whole entity until a later event overwrote it.
        'd' => double.Parse(text.AsSpan(2), NumberStyles.Float, CultureInfo.InvariantCulture) is var d && double.IsFinite(d) ? d : null,
        'b' => text[2] == '1',
        _ => null,
    };
}
