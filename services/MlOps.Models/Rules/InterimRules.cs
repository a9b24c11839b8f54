// Interim: the rules engine lands from agent/rules; this file goes when it does.
using MlOps.Contracts;

namespace MlOps.Models.Rules;

public sealed record RuleInput(string TenantId, string EntityId, IReadOnlyDictionary<string, object?> Inputs);

public sealed record RuleResult(double Probability, string Decision, IReadOnlyList<string> Fired);

public sealed class RuleSetException(IReadOnlyList<string> problems) : Exception(string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

public sealed class CompiledRuleSet
{
    private CompiledRuleSet(RuleSet set) => Set = set;

    public RuleSet Set { get; }

    public string Key => $"{Set.name}:{Set.version}";

    public static CompiledRuleSet Compile(RuleSet set) => new(set);

    public RuleResult Apply(double probability, RuleInput input) => new(probability, probability >= 0.5 ? "positive" : "negative", []);
}
