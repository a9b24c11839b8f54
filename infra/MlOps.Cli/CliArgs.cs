using System.Globalization;

namespace MlOps.Cli;

/// <summary>`--name value` and `--flag` options; anything malformed is a <see cref="CliException"/> naming it.</summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _values;

    private CliArgs(Dictionary<string, string?> values) => _values = values;

    public static CliArgs Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new CliException($"unexpected argument '{args[i]}'");
            }
            var hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            values[args[i][2..]] = hasValue ? args[++i] : null;
        }
        return new CliArgs(values);
    }

    public bool Flag(string name) => _values.ContainsKey(name);

    /// <summary>Refuses any option but <paramref name="known"/>: a misspelt one would otherwise be ignored silently.</summary>
    public CliArgs Only(params string[] known)
    {
        if (_values.Keys.FirstOrDefault(name => !known.Contains(name, StringComparer.Ordinal)) is { } unknown)
        {
            throw new CliException($"unknown option '--{unknown}' (this command takes {string.Join(", ", known.Select(k => "--" + k))})");
        }
        return this;
    }

    public string String(string name, string fallback) =>
        _values.TryGetValue(name, out var v) ? v ?? throw new CliException($"--{name} needs a value") : fallback;

    public string Required(string name) =>
        _values.TryGetValue(name, out var v) && v is not null ? v : throw new CliException($"--{name} is required");

    public int Int(string name, int fallback, int min = 0)
    {
        if (!_values.TryGetValue(name, out var v))
        {
            return fallback;
        }
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new CliException($"--{name} must be an integer >= {min} (got '{v}')");
    }
}
