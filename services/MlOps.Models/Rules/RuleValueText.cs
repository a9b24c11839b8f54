using System.Globalization;

namespace MlOps.Models.Rules;

/// <summary>
/// The culture-independent text a match rule compares: numbers in the invariant culture, doubles as their shortest
/// round-trip form ("R"), booleans as <c>true</c>/<c>false</c> (as written in YAML and Avro), null as no value.
/// </summary>
public static class RuleValueText
{
    public static string? Of(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
