using MlOps.Common.Spec;

namespace MlOps.Models.Rules;

/// <summary>A rule set file that was refused, with every problem located as <c>file:line:column: field: message</c>.</summary>
public sealed class RuleSetFileException(IReadOnlyList<SpecError> errors)
    : Exception($"invalid rule set file ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}"
                + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<SpecError> Errors { get; } = errors;
}
