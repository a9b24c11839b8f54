namespace MlOps.Models.Rules;

/// <summary>The <c>kind</c> values of an output rule and the decisions rules produce.</summary>
public static class RuleKinds
{
    public const string Clamp = "clamp";
    public const string Override = "override";
    public const string Abstain = "abstain";
    public const string Match = "match";

    public const string Positive = "positive";
    public const string Negative = "negative";
    public const string Abstained = "abstain";

    public static readonly IReadOnlyList<string> All = [Clamp, Override, Abstain, Match];

    /// <summary>The decision a probability implies when no rule set one.</summary>
    public static string DecisionOf(double probability) => probability >= 0.5 ? Positive : Negative;
}
