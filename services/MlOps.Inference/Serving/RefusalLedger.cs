namespace MlOps.Inference.Serving;

/// <summary>
/// What <see cref="ServingState"/> refused and why ("reason: message"), as <see cref="ServingState.Refused"/> lists
/// it: a model version under its key ("name:version"), a rule set under <see cref="RulesKey"/>, a deployment refused
/// for a route conflict under <see cref="DeploymentKey"/>. Not thread-safe: used only under ServingState's lock.
/// </summary>
internal sealed class RefusalLedger
{
    private const string RulesPrefix = "rules ";
    private const string DeploymentPrefix = "deployment ";

    private readonly Dictionary<string, string> _refused = new(StringComparer.Ordinal);

    /// <summary>The key a refused rule set 'name:version' is listed under.</summary>
    public static string RulesKey(string ruleSet) => RulesPrefix + ruleSet;

    /// <summary>The key a deployment refused for a route conflict is listed under.</summary>
    public static string DeploymentKey(string deployment) => DeploymentPrefix + deployment;

    public bool Contains(string refusalKey) => _refused.ContainsKey(refusalKey);

    /// <summary>Whether <paramref name="refusalKey"/> is refused for exactly this reason and message already.</summary>
    public bool Holds(string refusalKey, string reason, string message) =>
        _refused.GetValueOrDefault(refusalKey) == Entry(reason, message);

    /// <summary>Forgets a refusal (the thing refused was registered again, or its cause is gone).</summary>
    public void Clear(string refusalKey) => _refused.Remove(refusalKey);

    /// <summary>Forgets the deployment refusals of every deployment not in <paramref name="stillRefused"/>.</summary>
    public void ClearDeploymentsExcept(IReadOnlyDictionary<string, string> stillRefused)
    {
        foreach (var stale in _refused.Keys.Where(k => k.StartsWith(DeploymentPrefix, StringComparison.Ordinal)).ToList())
        {
            if (!stillRefused.ContainsKey(stale[DeploymentPrefix.Length..]))
            {
                _refused.Remove(stale);
            }
        }
    }

    // Rule-set refusals stay in mlops_inference_model_loads_total (reason rules_*) so existing series and queries keep
    // working; a deployment's route conflict is counted there too (reason route_conflict), one refusal series for all.
    public void Record(string refusalKey, string reason, string message)
    {
        _refused[refusalKey] = Entry(reason, message);
        InferenceMetrics.ModelLoads.WithLabels("refused", reason).Inc();
    }

    /// <summary>A copy of every refusal held, for readers outside the lock.</summary>
    public Dictionary<string, string> Copy() => new(_refused, StringComparer.Ordinal);

    private static string Entry(string reason, string message) => $"{reason}: {message}";
}
