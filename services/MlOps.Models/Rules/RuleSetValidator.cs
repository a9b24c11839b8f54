using System.Globalization;
using System.Text.RegularExpressions;
using MlOps.Contracts;

namespace MlOps.Models.Rules;

/// <summary>Every problem of a rule set at once, each as <c>field: message</c> with fields like <c>rules[2].threshold</c>.</summary>
internal static class RuleSetValidator
{
    public static List<string> Problems(RuleSet set)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(set.name))
        {
            problems.Add("name: is required");
        }
        if (string.IsNullOrWhiteSpace(set.version))
        {
            problems.Add("version: is required");
        }
        var rules = set.rules ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"rules[{i}]";
            if (string.IsNullOrWhiteSpace(rule.name))
            {
                problems.Add($"{at}.name: is required");
            }
            else if (!names.Add(rule.name))
            {
                problems.Add($"{at}.name: '{rule.name}' is used by an earlier rule; rule names are unique within a set");
            }
            Fraction(problems, $"{at}.min", rule.min);
            Fraction(problems, $"{at}.max", rule.max);
            Fraction(problems, $"{at}.threshold", rule.threshold);
            Fraction(problems, $"{at}.probability", rule.probability);
            if (rule.decision is { } decision && string.IsNullOrWhiteSpace(decision))
            {
                problems.Add($"{at}.decision: must not be empty");
            }
            switch (rule.kind)
            {
                case RuleKinds.Clamp:
                    if (rule.min is null && rule.max is null)
                    {
                        problems.Add($"{at}.min: a clamp rule needs min, max or both");
                    }
                    if (rule.min > rule.max)
                    {
                        problems.Add($"{at}.min: {Text(rule.min)} is greater than max {Text(rule.max)}");
                    }
                    break;
                case RuleKinds.Override:
                    if ((rule.tenants?.Count ?? 0) == 0 && (rule.entities?.Count ?? 0) == 0)
                    {
                        problems.Add($"{at}.tenants: an override rule needs tenants, entities or both");
                    }
                    Outcome(problems, at, rule);
                    break;
                case RuleKinds.Abstain:
                    if (rule.threshold is null)
                    {
                        problems.Add($"{at}.threshold: an abstain rule needs the confidence threshold (0..1)");
                    }
                    break;
                case RuleKinds.Match:
                    if (string.IsNullOrWhiteSpace(rule.attribute))
                    {
                        problems.Add($"{at}.attribute: a match rule needs the input it tests, e.g. event.origin");
                    }
                    if ((rule.equals is null) == (rule.pattern is null))
                    {
                        problems.Add($"{at}.equals: a match rule needs exactly one of equals or pattern");
                    }
                    if (rule.pattern is { } pattern && PatternError(pattern) is { } error)
                    {
                        problems.Add($"{at}.pattern: is not a valid regular expression: {error}");
                    }
                    Outcome(problems, at, rule);
                    break;
                default:
                    problems.Add($"{at}.kind: unknown kind '{rule.kind}'; expected one of {string.Join(", ", RuleKinds.All)}");
                    break;
            }
        }
        return problems;
    }

    private static void Outcome(List<string> problems, string at, OutputRule rule)
    {
        if (rule.probability is null && rule.decision is null)
        {
            problems.Add($"{at}.probability: a {rule.kind} rule needs probability, decision or both");
        }
    }

    private static void Fraction(List<string> problems, string field, double? value)
    {
        if (value is { } v && !(v is >= 0 and <= 1))
        {
            problems.Add($"{field}: {Text(v)} is outside [0, 1]");
        }
    }

    private static string? PatternError(string pattern)
    {
        try
        {
            _ = new Regex(pattern, CompiledRuleSet.PatternOptions);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
        catch (NotSupportedException ex)
        {
            return $"uses a construct that cannot be matched in linear time ({ex.Message})";
        }
    }

    private static string Text(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "null";
}
