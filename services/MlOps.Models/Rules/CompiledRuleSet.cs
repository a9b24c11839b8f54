using System.Text.RegularExpressions;
using MlOps.Contracts;

namespace MlOps.Models.Rules;

/// <summary>
/// A validated rule set, ready to apply to scored predictions. Rules apply in order, each to the previous rules'
/// result; a rule fires only when it changes the probability or the decision. The decision follows the probability
/// (<c>p &gt;= 0.5</c> is positive) until a rule sets it explicitly. An abstain does not stop the set: later rules
/// still run, so a later override (e.g. for mission-critical customers) can replace it.
/// </summary>
public sealed class CompiledRuleSet
{
    /// <summary>
    /// Patterns run on the non-backtracking engine: linear in the input, so no pattern can stall scoring, and whether a
    /// rule fires never depends on load (a wall-clock match timeout would let a busy moment skip a rule).
    /// </summary>
    public const RegexOptions PatternOptions = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private readonly Compiled[] _rules;

    private CompiledRuleSet(RuleSet set, Compiled[] rules)
    {
        Set = set;
        Key = set.Key; // read for every rule that fires on every prediction: built once
        _rules = rules;
    }

    /// <summary><c>name:version</c>, the key on <c>mlops.rules</c> and what deployments reference.</summary>
    public string Key { get; }

    public RuleSet Set { get; }

    /// <exception cref="RuleSetException">With every problem of the set.</exception>
    public static CompiledRuleSet Compile(RuleSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var problems = RuleSetValidator.Problems(set);
        if (problems.Count > 0)
        {
            throw new RuleSetException(problems);
        }
        var rules = set.rules.Select(rule => new Compiled(
            rule,
            rule.pattern is { } pattern ? new Regex(pattern, PatternOptions) : null,
            new HashSet<string>(rule.tenants ?? [], StringComparer.Ordinal),
            new HashSet<string>(rule.entities ?? [], StringComparer.Ordinal))).ToArray();
        return new CompiledRuleSet(set, rules);
    }

    public RuleResult Apply(double probability, RuleInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var p = probability;
        var decision = RuleKinds.DecisionOf(p);
        var explicitDecision = false;
        var fired = new List<string>();
        foreach (var compiled in _rules)
        {
            var rule = compiled.Rule;
            double? newP = null;
            string? newDecision = null;
            switch (rule.kind)
            {
                case RuleKinds.Clamp:
                    newP = Math.Clamp(p, rule.min ?? double.NegativeInfinity, rule.max ?? double.PositiveInfinity);
                    break;
                case RuleKinds.Override when compiled.Tenants.Contains(input.TenantId) || compiled.Entities.Contains(input.EntityId):
                case RuleKinds.Match when Matches(compiled, input):
                    (newP, newDecision) = (rule.probability, rule.decision);
                    break;
                case RuleKinds.Abstain when Math.Max(p, 1 - p) < rule.threshold:
                    newDecision = RuleKinds.Abstained;
                    break;
            }
            var nextP = newP ?? p;
            var nextDecision = newDecision ?? (explicitDecision ? decision : RuleKinds.DecisionOf(nextP));
            // A rule that changes nothing has no effect at all: it neither fires nor pins the decision.
            var changed = !nextP.Equals(p) || !string.Equals(nextDecision, decision, StringComparison.Ordinal);
            if (changed)
            {
                p = nextP;
                decision = nextDecision;
                explicitDecision |= newDecision is not null;
                fired.Add($"{Key}/{rule.name}");
            }
        }
        return new RuleResult(p, decision, fired);
    }

    private static bool Matches(Compiled compiled, RuleInput input)
    {
        var rule = compiled.Rule;
        if (!input.Inputs.TryGetValue(rule.attribute, out var value) || RuleValueText.Of(value) is not { } text)
        {
            return false;
        }
        if (rule.equals is { } expected)
        {
            return string.Equals(text, expected, StringComparison.Ordinal);
        }
        return compiled.Pattern!.IsMatch(text);
    }

    private sealed record Compiled(OutputRule Rule, Regex? Pattern, HashSet<string> Tenants, HashSet<string> Entities);
}
