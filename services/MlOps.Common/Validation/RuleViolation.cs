namespace MlOps.Common.Validation;

/// <summary>One broken rule: which (a <see cref="RuleCodes"/> value), on which attribute, why, and the offending value.</summary>
/// <param name="Rule">A <see cref="RuleCodes"/> constant; also the metric label, so the set is bounded.</param>
/// <param name="Attribute">The attribute or envelope field, or null for whole-input problems.</param>
/// <param name="Message">A sentence naming the problem and what the contract expects.</param>
/// <param name="Value">The offending value as text, truncated to <see cref="MaxValueLength"/> characters.</param>
public sealed record RuleViolation(string Rule, string? Attribute, string Message, string? Value)
{
    public const int MaxValueLength = 64;

    public static string? Truncate(string? value) =>
        value is null || value.Length <= MaxValueLength ? value : string.Concat(value.AsSpan(0, MaxValueLength), "…");
}
