namespace MlOps.Models.Rules;

/// <summary>The served probability and decision after a rule set, and the rules that changed something.</summary>
/// <param name="Fired"><c>name:version/rule</c>, in the order the rules applied.</param>
public sealed record RuleResult(double Probability, string Decision, IReadOnlyList<string> Fired);
