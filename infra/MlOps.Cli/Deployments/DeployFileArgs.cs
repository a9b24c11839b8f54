using MlOps.Cli.Commands;

namespace MlOps.Cli.Deployments;

/// <summary><c>deploy -f FILE [--reason TEXT]</c>, the flag anywhere among the options.</summary>
public sealed record DeployFileArgs(string File, string? Reason)
{
    public const string OneFile = "deploy -f needs exactly one deployment file";

    public static bool IsFileFlag(string arg) => arg is "-f" or "--file";

    /// <summary>The file after the one <c>-f</c>, and the options around it; a second file or flag is refused by name.</summary>
    public static DeployFileArgs Parse(IReadOnlyList<string> args)
    {
        var flags = args.Select((arg, i) => (arg, i)).Where(a => IsFileFlag(a.arg)).Select(a => a.i).ToList();
        if (flags.Count != 1 || flags[0] + 1 >= args.Count || args[flags[0] + 1].StartsWith('-'))
        {
            throw new CliException(flags.Count > 1 ? $"{OneFile} (-f is given {flags.Count} times)" : $"{OneFile} after -f");
        }
        var at = flags[0];
        var options = args.Take(at).Concat(args.Skip(at + 2)).ToList();
        // CliArgs reads a word after an option as its value, so a stray word can only lead the rest or follow a value.
        if (StrayWord(options) is { } stray)
        {
            throw new CliException($"{OneFile} (also got '{stray}')");
        }
        return new DeployFileArgs(args[at + 1], ModelsCommand.ReasonOf(CliArgs.Parse(options).Only("reason")));
    }

    /// <summary>The first word that is neither an option nor an option's value.</summary>
    private static string? StrayWord(IReadOnlyList<string> options)
    {
        for (var i = 0; i < options.Count; i++)
        {
            if (!options[i].StartsWith("--", StringComparison.Ordinal))
            {
                return options[i];
            }
            if (i + 1 < options.Count && !options[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                i++; // the option's value
            }
        }
        return null;
    }
}
