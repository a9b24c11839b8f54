using MlOps.Contracts;
using MlOps.Models.Rules;

namespace MlOps.Inference.Serving;

/// <summary>
/// The output rule sets in the registry as this instance knows them, compiled the first time a deployment names one.
/// One that is unknown or invalid is refused in the <see cref="RefusalLedger"/> (under
/// <see cref="RefusalLedger.RulesKey"/>) until it is registered again. Not thread-safe: used only under
/// <see cref="ServingState"/>'s lock.
/// </summary>
internal sealed class CompiledRuleSets(RefusalLedger refusals, ILogger logger)
{
    private readonly Dictionary<string, RuleSet> _ruleSets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledRuleSet> _compiledRules = new(StringComparer.Ordinal);

    /// <summary>Raised after a rule set version a deployment names was refused: (rule set name, version, reason code, message).</summary>
    public event Action<string, string, string, string>? Refused;

    /// <summary>A rule set record (null = tombstone). Versions are immutable; a republished one replaces its compilation.</summary>
    public void OnRuleSet(string key, RuleSet? set)
    {
        refusals.Clear(RefusalLedger.RulesKey(key));
        _compiledRules.Remove(key);
        if (set is null)
        {
            _ruleSets.Remove(key);
        }
        else
        {
            _ruleSets[key] = set;
        }
    }

    /// <summary>The compiled rule set a deployment names (none named is fine); false when it is unknown or invalid.</summary>
    public bool TryRules(string? key, out CompiledRuleSet? compiled)
    {
        compiled = null;
        if (key is null)
        {
            return true;
        }
        if (_compiledRules.TryGetValue(key, out compiled))
        {
            return true;
        }
        if (refusals.Contains(RefusalLedger.RulesKey(key)))
        {
            return false;
        }
        if (!_ruleSets.TryGetValue(key, out var set))
        {
            RefuseRuleSet(key, "rules_not_registered", $"rule set {key} is not in {TopicCatalog.Rules}");
            return false;
        }
        try
        {
            compiled = _compiledRules[key] = CompiledRuleSet.Compile(set);
            return true;
        }
        catch (RuleSetException ex)
        {
            RefuseRuleSet(key, "rules_invalid", $"rule set {key} is invalid: {string.Join("; ", ex.Problems)}");
            return false;
        }
    }

    private void RefuseRuleSet(string key, string reason, string message)
    {
        refusals.Record(RefusalLedger.RulesKey(key), reason, message);
        var (name, version) = SplitRuleSetKey(key);
        logger.LogError("Refused rule set {RuleSet} version {Version} ({Reason}): {Message}", name, version, reason, message);
        Refused?.Invoke(name, version, reason, message);
    }

    /// <summary>
    /// Splits a rule set reference 'name:version' at its last colon (as model references are); a malformed reference
    /// without one is reported whole as the name with an empty version, rather than guessed at.
    /// </summary>
    private static (string Name, string Version) SplitRuleSetKey(string key)
    {
        var colon = key.LastIndexOf(':');
        return colon > 0 ? (key[..colon], key[(colon + 1)..]) : (key, "");
    }
}
