namespace MlOps.Models.Rules;

/// <summary>A rule set that was refused, with every problem found; each names its field, e.g. <c>rules[2].threshold</c>.</summary>
public sealed class RuleSetException(IReadOnlyList<string> problems)
    : Exception($"invalid rule set ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):{Environment.NewLine}"
                + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
