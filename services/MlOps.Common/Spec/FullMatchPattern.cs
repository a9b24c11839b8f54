using System.Text.RegularExpressions;

namespace MlOps.Common.Spec;

/// <summary>
/// A contract's <c>pattern</c>: must match the whole value, and gives up after a time budget so an adversarial
/// value cannot stall a partition (a timed-out match counts as not matching, and the event is quarantined).
/// </summary>
public sealed class FullMatchPattern
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(50);

    private readonly Regex _regex;

    /// <exception cref="ArgumentException">The pattern is not a valid .NET regular expression.</exception>
    public FullMatchPattern(string source)
    {
        Source = source;
        _regex = new Regex($@"\A(?:{source})\z", RegexOptions.CultureInvariant, Budget);
    }

    /// <summary>The pattern as written in the spec.</summary>
    public string Source { get; }

    public bool IsMatch(string value)
    {
        try
        {
            return _regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    public override string ToString() => Source;
}
