using System.Globalization;
using System.Text.RegularExpressions;

namespace MlOps.Common.Spec;

/// <summary>The platform's duration notation: a whole number and a unit, <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c> or <c>30d</c>.</summary>
public static partial class SpecDuration
{
    public const string Examples = "500ms, 30s, 5m, 2h or 30d";

    /// <summary>Parses a positive duration; <c>0</c> and anything else not in the notation fail.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text ?? "");
        if (!match.Success || !long.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var amount) || amount == 0)
        {
            return false;
        }
        duration = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
        return true;
    }

    /// <summary>The shortest spelling of <paramref name="duration"/> in the notation (<c>60m</c> is <c>1h</c>); a canonical name.</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        var (amount, unit) = ms switch
        {
            _ when ms % 86_400_000 == 0 => (ms / 86_400_000, "d"),
            _ when ms % 3_600_000 == 0 => (ms / 3_600_000, "h"),
            _ when ms % 60_000 == 0 => (ms / 60_000, "m"),
            _ when ms % 1_000 == 0 => (ms / 1_000, "s"),
            _ => (ms, "ms"),
        };
        return amount.ToString(CultureInfo.InvariantCulture) + unit;
    }

    [GeneratedRegex(@"\A(\d{1,9})(ms|s|m|h|d)\z")]
    private static partial Regex DurationPattern();
}
