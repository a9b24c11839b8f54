using System.Globalization;
using MlOps.Contracts;
using MlOps.Models.Rules;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>
/// Versioned output rule sets on <c>mlops.rules</c> (compacted, key <c>name:version</c>):
/// <c>rules publish &lt;file&gt;</c>, <c>rules list</c> and <c>rules diff &lt;a&gt; &lt;b&gt;</c>.
/// </summary>
internal static class RulesCommand
{
    public static async Task<int> RunAsync(StackPaths paths, string[] args, CancellationToken cancellationToken) => args.FirstOrDefault() switch
    {
        "publish" when args.Length == 2 => await PublishAsync(paths, args[1], cancellationToken),
        "list" when args.Length == 1 => await ListAsync(paths, cancellationToken),
        "diff" when args.Length == 3 => await DiffAsync(paths, args[1], args[2], cancellationToken),
        _ => Usage.Fail("rules needs 'publish <file.yaml>', 'list' or 'diff <a> <b>' (a and b: files or name:version)"),
    };

    private static async Task<int> PublishAsync(StackPaths paths, string file, CancellationToken cancellationToken)
    {
        var set = Load(file);
        var compiled = Compile(set);
        var stack = paths.Endpoints();
        var published = await StackTopics.ReadAsync<RuleSet>(stack, TopicCatalog.Rules, cancellationToken);
        if (CheckVersion(published.GetValueOrDefault(compiled.Key), set) is { } unchanged)
        {
            Console.WriteLine(unchanged);
            return 0;
        }
        var at = await StackTopics.PublishAsync(stack, TopicCatalog.Rules, compiled.Key, set, cancellationToken);
        Console.WriteLine($"published {compiled.Key} ({set.rules.Count} rules) to {at}");
        return 0;
    }

    /// <summary>
    /// Versions are immutable: republishing the same rules is a no-op (returns why), different rules under a
    /// published version are refused. Null: the version is new.
    /// </summary>
    internal static string? CheckVersion(RuleSet? published, RuleSet candidate)
    {
        if (published is null)
        {
            return null;
        }
        var key = candidate.Key;
        var changes = RuleSetDiff.Between(published, candidate);
        if (changes.Count > 0)
        {
            throw new CliException($"refused: {key} is already published with different rules; versions are immutable, " +
                                   $"publish a new version instead. Changes:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", changes)}");
        }
        return $"{key} is already published with the same rules; nothing to do";
    }

    private static async Task<int> ListAsync(StackPaths paths, CancellationToken cancellationToken)
    {
        var stack = paths.Endpoints();
        var sets = await StackTopics.ReadAsync<RuleSet>(stack, TopicCatalog.Rules, cancellationToken);
        if (sets.Count == 0)
        {
            Console.WriteLine($"no rule sets on {TopicCatalog.Rules}");
        }
        foreach (var (key, set) in sets.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"{key,-32} {set.rules.Count,3} rules  {set.created_at.ToString("u", CultureInfo.InvariantCulture)}  {set.description}".TrimEnd());
        }
        return 0;
    }

    private static async Task<int> DiffAsync(StackPaths paths, string a, string b, CancellationToken cancellationToken)
    {
        // The topic is read once, and only when an argument is not a file.
        var published = IsFile(a) && IsFile(b)
            ? new Dictionary<string, RuleSet>()
            : await StackTopics.ReadAsync<RuleSet>(paths.Endpoints(), TopicCatalog.Rules, cancellationToken);
        RuleSet Resolve(string reference) => IsFile(reference)
            ? Load(reference)
            : published.GetValueOrDefault(reference)
              ?? throw new CliException($"'{reference}' is neither a file nor a rule set published on {TopicCatalog.Rules}");
        var (old, @new) = (Resolve(a), Resolve(b));
        var changes = RuleSetDiff.Between(old, @new);
        Console.WriteLine($"{old.Key} -> {@new.Key}");
        Console.WriteLine(changes.Count == 0 ? "  no changes" : "  " + string.Join(Environment.NewLine + "  ", changes));
        return 0;
    }

    /// <summary>A path (an existing file, or a name ending .yaml/.yml) rather than a <c>name:version</c> reference.</summary>
    internal static bool IsFile(string reference) =>
        File.Exists(reference) || reference.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || reference.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    private static RuleSet Load(string file)
    {
        try
        {
            return RuleSetFile.Load(file, DateTime.UtcNow, Environment.UserName);
        }
        catch (RuleSetFileException ex)
        {
            throw new CliException($"refused: {ex.Message}");
        }
    }

    private static CompiledRuleSet Compile(RuleSet set)
    {
        try
        {
            return CompiledRuleSet.Compile(set);
        }
        catch (RuleSetException ex)
        {
            throw new CliException($"refused: {ex.Message}");
        }
    }
}
