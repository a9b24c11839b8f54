using System.Globalization;
using MlOps.Contracts;

namespace MlOps.Models.Rules;

/// <summary>
/// What changed between two versions of a rule set, one line per change: <c>+ rule 'x' (...)</c> added,
/// <c>- rule 'x' (...)</c> removed, <c>~ rule 'x': field old -&gt; new</c> changed, <c>~ order: ...</c> when the
/// rules both versions keep apply in a different order. No lines: the rules are the same.
/// </summary>
public static class RuleSetDiff
{
    public static IReadOnlyList<string> Between(RuleSet old, RuleSet @new)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(@new);
        var lines = new List<string>();
        if (old.name != @new.name)
        {
            lines.Add($"~ rule_set: {old.name} -> {@new.name}");
        }
        if (old.description != @new.description)
        {
            lines.Add($"~ description: {Quote(old.description)} -> {Quote(@new.description)}");
        }
        var oldRules = (old.rules ?? []).GroupBy(r => r.name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var newRules = (@new.rules ?? []).GroupBy(r => r.name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var rule in old.rules ?? [])
        {
            if (!newRules.ContainsKey(rule.name))
            {
                lines.Add($"- rule '{rule.name}' ({Describe(rule)})");
            }
        }
        foreach (var rule in @new.rules ?? [])
        {
            if (!oldRules.TryGetValue(rule.name, out var before))
            {
                lines.Add($"+ rule '{rule.name}' ({Describe(rule)})");
                continue;
            }
            foreach (var (field, was, now) in Fields(before).Zip(Fields(rule), (a, b) => (a.Field, a.Text, b.Text)))
            {
                if (was != now)
                {
                    lines.Add($"~ rule '{rule.name}': {field} {was ?? "(none)"} -> {now ?? "(none)"}");
                }
            }
        }
        var oldOrder = (old.rules ?? []).Select(r => r.name).Where(newRules.ContainsKey).ToList();
        var newOrder = (@new.rules ?? []).Select(r => r.name).Where(oldRules.ContainsKey).ToList();
        if (!oldOrder.SequenceEqual(newOrder, StringComparer.Ordinal))
        {
            lines.Add($"~ order: {string.Join(", ", oldOrder)} -> {string.Join(", ", newOrder)}");
        }
        return lines;
    }

    /// <summary>The kind and the fields a rule sets, e.g. <c>clamp min=0.02 max=0.98</c>.</summary>
    public static string Describe(OutputRule rule) =>
        string.Join(" ", Fields(rule).Where(f => f.Text is not null).Select(f => f.Field == "kind" ? f.Text : $"{f.Field}={f.Text}"));

    private static IEnumerable<(string Field, string? Text)> Fields(OutputRule rule)
    {
        yield return ("kind", rule.kind);
        yield return ("min", Number(rule.min));
        yield return ("max", Number(rule.max));
        yield return ("tenants", List(rule.tenants));
        yield return ("entities", List(rule.entities));
        yield return ("threshold", Number(rule.threshold));
        yield return ("attribute", rule.attribute);
        yield return ("equals", rule.equals);
        yield return ("pattern", rule.pattern);
        yield return ("probability", Number(rule.probability));
        yield return ("decision", rule.decision);
    }

    private static string? Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);

    private static string? List(IList<string>? values) => values is { Count: > 0 } ? $"[{string.Join(", ", values)}]" : null;

    private static string Quote(string? text) => text is null ? "(none)" : $"'{text}'";
}
