using System.Text.RegularExpressions;

namespace MlOps.Common.Spec;

/// <summary>
/// A contract's <c>pattern</c>: must match the whole value. Compiled with .NET's non-backtracking engine, whose match
/// time is linear in the value's length, so no value can stall a partition and the verdict never depends on load.
/// (A wall-clock match timeout did: under CPU contention a valid 3-letter airport code timed out and was quarantined.)
/// </summary>
public sealed class FullMatchPattern
{
    private readonly Regex _regex;

    /// <exception cref="ArgumentException">
    /// The pattern is not a valid .NET regular expression, or uses a construct the non-backtracking engine does not
    /// support (backreferences, lookarounds, atomic groups, conditionals).
    /// </exception>
    public FullMatchPattern(string source)
    {
        Source = source;
        try
        {
            _regex = new Regex($@"\A(?:{source})\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException ex)
        {
            throw new ArgumentException($"uses a construct that cannot be matched in linear time ({ex.Message})", nameof(source), ex);
        }
    }

    /// <summary>The pattern as written in the spec.</summary>
    public string Source { get; }

    public bool IsMatch(string value) => _regex.IsMatch(value);

    public override string ToString() => Source;
}
