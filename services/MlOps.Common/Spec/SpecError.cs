namespace MlOps.Common.Spec;

/// <summary>One problem in a spec file, located the way an editor jumps to it.</summary>
/// <param name="File">The spec file.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Field">Dotted path of the field, e.g. <c>contracts.flight_departure.attributes.distance.min</c>.</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record SpecError(string File, int Line, int Column, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Field}: {Message}";
}

/// <summary>A spec that was refused, with every problem found (not just the first).</summary>
public sealed class SpecException(IReadOnlyList<SpecError> errors)
    : Exception($"invalid spec ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}"
                + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<SpecError> Errors { get; } = errors;
}
