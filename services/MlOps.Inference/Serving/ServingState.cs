using MlOps.Contracts;
using MlOps.Models;
using MlOps.Models.Rules;

namespace MlOps.Inference.Serving;

/// <summary>
/// The registry and deployments as this instance knows them, and the models loaded for them. Updates come from one
/// thread (the registry watcher); each one reconciles: loads the model versions deployments ask for, and publishes a
/// new <see cref="ServingSnapshot"/>. A version that cannot be loaded (missing artifact, hash mismatch, corrupt ONNX,
/// signature mismatch) is refused with its reason and the deployment keeps serving the model it had.
/// </summary>
public sealed class ServingState(Func<ModelVersion, OnnxModel> load, ILogger<ServingState> logger) : IDisposable
{
    private readonly Dictionary<string, ModelVersion> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Deployment> _deployments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModelHandle> _loaded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refused = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RuleSet> _ruleSets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledRuleSet> _compiledRules = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private ServingSnapshot _current = new([]);

    /// <summary>Raised after a model version was refused: (model key, reason code, message).</summary>
    public event Action<string, string, string>? ModelRefused;

    /// <summary>
    /// Raised after a rule set version a deployment names was refused: (rule set name, version, reason code, message).
    /// Its own event, not <see cref="ModelRefused"/>, so nothing downstream reports a rule set as a model.
    /// </summary>
    public event Action<string, string, string, string>? RuleSetRefused;

    /// <summary>
    /// Raised when a deployment is refused although it could serve: (deployment key, reason code, message). Today the
    /// one reason is <see cref="RouteConflict"/>.
    /// </summary>
    public event Action<string, string, string>? DeploymentRefused;

    /// <summary>Another deployment already scores one of its event types for the same tenant scope.</summary>
    public const string RouteConflict = "route_conflict";

    /// <summary>
    /// Model versions refused, with why; cleared when the version is registered again. Refused rule sets are listed
    /// too, keyed "rules name:version", and deployments refused for a route conflict, keyed "deployment key" (cleared
    /// once the conflict is gone).
    /// </summary>
    public IReadOnlyDictionary<string, string> Refused
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_refused, StringComparer.Ordinal);
            }
        }
    }

    public ServingSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Leases the snapshot in force (retrying if it is being replaced at that instant).</summary>
    public ServingLease Acquire()
    {
        while (true)
        {
            var snapshot = Volatile.Read(ref _current);
            if (snapshot.TryLease())
            {
                return new ServingLease(snapshot);
            }
        }
    }

    public void OnModelVersion(string key, ModelVersion? version)
    {
        lock (_gate)
        {
            _refused.Remove(key);
            if (version is null)
            {
                _versions.Remove(key);
            }
            else
            {
                _versions[key] = version;
            }
        }
    }

    /// <summary>A rule set record (null = tombstone). Versions are immutable; a republished one replaces its compilation.</summary>
    public void OnRuleSet(string key, RuleSet? set)
    {
        lock (_gate)
        {
            _refused.Remove(RulesRefusalKey(key));
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
    }

    /// <summary>A deployment record (null = tombstone: retired). Older revisions than the one held are ignored.</summary>
    public void OnDeployment(string key, Deployment? deployment)
    {
        lock (_gate)
        {
            if (deployment is null)
            {
                _deployments.Remove(key);
            }
            else if (!_deployments.TryGetValue(key, out var held) || deployment.revision >= held.revision)
            {
                _deployments[key] = deployment;
            }
        }
    }

    /// <summary>Loads what the deployments need, swaps in the new routing snapshot and unloads what nothing uses.</summary>
    public void Reconcile()
    {
        lock (_gate)
        {
            var previous = _current;
            var routes = new List<DeploymentRoute>();
            var claimed = new RouteClaims();
            var conflicts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, deployment) in _deployments.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                // One (event type, tenant) scores through one deployment. Keys are taken in ordinal order, so every
                // instance, at any reconcile, keeps the same one: the first key serves, a later one is refused whole,
                // checked before its models are loaded (they would only be unloaded again).
                if (ConflictOf(key, deployment, claimed) is { } conflict)
                {
                    conflicts[key] = conflict;
                    continue;
                }
                DeploymentRoute? candidate = null;
                if (SafeRouteOf(key, deployment) is { } route)
                {
                    candidate = route;
                }
                else if (previous.Routes.FirstOrDefault(r => r.Key == key) is { } kept)
                {
                    logger.LogWarning("Deployment {Deployment} revision {Revision} cannot be served; revision {Kept} keeps serving",
                        key, deployment.revision, kept.Deployment.revision);
                    candidate = kept;
                }
                else
                {
                    logger.LogWarning("Deployment {Deployment} revision {Revision} cannot be served; nothing serves it", key, deployment.revision);
                }
                if (candidate is null)
                {
                    continue;
                }
                // A kept revision may score other event types than the refused one asked for.
                if (!ReferenceEquals(candidate.Deployment, deployment) && ConflictOf(key, candidate.Deployment, claimed) is { } keptConflict)
                {
                    conflicts[key] = keptConflict;
                    continue;
                }
                claimed.Claim(key, candidate.Deployment);
                routes.Add(candidate);
            }
            RecordConflicts(conflicts);

            var next = new ServingSnapshot(routes);
            Volatile.Write(ref _current, next);
            previous.Release();

            var used = routes.SelectMany(r => r.Models).Select(m => m.Model.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var unused in _loaded.Keys.Where(k => !used.Contains(k)).ToList())
            {
                logger.LogInformation("Unloading {Model}: no deployment routes to it", unused);
                _loaded.Remove(unused, out var handle);
                handle!.Release();
            }
        }
    }

    /// <summary>One deployment's route; a failure nothing anticipated counts as "cannot be served" for it alone.</summary>
    private DeploymentRoute? SafeRouteOf(string key, Deployment deployment)
    {
        try
        {
            return RouteOf(key, deployment);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "Deployment {Deployment} revision {Revision} could not be routed", key, deployment.revision);
            return null;
        }
    }

    /// <summary>
    /// The route for a deployment, or null when it cannot serve: no serving arm with traffic, duplicate arm names, a
    /// model of an arm or of the fallback chain that is not loadable, or a rule set (the deployment's, its shadow's or
    /// an arm's own) that is unknown or invalid (all or nothing, so a deployment never serves half of what it asks for).
    /// </summary>
    private DeploymentRoute? RouteOf(string key, Deployment deployment)
    {
        if (!deployment.arms.Any(a => !a.shadow && a.traffic_weight > 0))
        {
            logger.LogWarning("Deployment {Deployment} has no serving arm with traffic", key);
            return null;
        }
        if (deployment.arms.GroupBy(a => a.name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            logger.LogWarning("Deployment {Deployment} names two arms '{Arm}'", key, duplicate.Key);
            return null;
        }
        var arms = new Dictionary<string, ModelHandle>(StringComparer.Ordinal);
        foreach (var arm in deployment.arms)
        {
            if (LoadIfNeeded($"{arm.model_name}:{arm.model_version}") is not { } handle)
            {
                return null;
            }
            arms[arm.name] = handle;
        }
        var fallbacks = new List<ModelHandle>();
        foreach (var model in deployment.fallback)
        {
            if (LoadIfNeeded(model) is not { } handle)
            {
                return null;
            }
            fallbacks.Add(handle);
        }
        if (!TryRules(deployment.output_rules, out var rules) || !TryRules(deployment.shadow_rules, out var shadowRules))
        {
            return null;
        }
        // An arm's own rule set is held to the deployment's standard: unknown or invalid, the revision is not served
        // (the previous one keeps serving), rather than quietly serving the arm with rules it did not ask for.
        var armRules = new Dictionary<string, CompiledRuleSet>(StringComparer.Ordinal);
        foreach (var arm in deployment.arms.Where(a => a.output_rules is not null))
        {
            if (!TryRules(arm.output_rules, out var own))
            {
                return null;
            }
            armRules[arm.name] = own!;
        }
        return new DeploymentRoute(key, deployment, arms, fallbacks) { Rules = rules, ShadowRules = shadowRules, ArmRules = armRules };
    }

    private static string RulesRefusalKey(string ruleSet) => "rules " + ruleSet;

    private static string DeploymentRefusalKey(string deployment) => "deployment " + deployment;

    /// <summary>Why <paramref name="deployment"/> cannot route beside the deployments already claimed, or null.</summary>
    private static string? ConflictOf(string key, Deployment deployment, RouteClaims claimed) =>
        claimed.ConflictOf(key, deployment) is var (eventType, holder)
            ? $"deployment {key} scores event type '{eventType}' for {RouteClaims.Scope(deployment.tenant_id)}, "
              + $"which deployment {holder} already scores; it is not served until one of them changes"
            : null;

    /// <summary>
    /// Lists this reconcile's route conflicts under <see cref="Refused"/> ("deployment key"), announcing each new one
    /// once (log, metric, <see cref="DeploymentRefused"/>), and drops the ones that no longer hold.
    /// </summary>
    private void RecordConflicts(Dictionary<string, string> conflicts)
    {
        foreach (var stale in _refused.Keys.Where(k => k.StartsWith("deployment ", StringComparison.Ordinal)).ToList())
        {
            if (!conflicts.ContainsKey(stale["deployment ".Length..]))
            {
                _refused.Remove(stale);
            }
        }
        foreach (var (key, message) in conflicts)
        {
            if (_refused.GetValueOrDefault(DeploymentRefusalKey(key)) == $"{RouteConflict}: {message}")
            {
                continue;
            }
            Record(DeploymentRefusalKey(key), RouteConflict, message);
            logger.LogError("Refused deployment {Deployment} ({Reason}): {Message}", key, RouteConflict, message);
            DeploymentRefused?.Invoke(key, RouteConflict, message);
        }
    }

    /// <summary>The compiled rule set a deployment names (none named is fine); false when it is unknown or invalid.</summary>
    private bool TryRules(string? key, out CompiledRuleSet? compiled)
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
        if (_refused.ContainsKey(RulesRefusalKey(key)))
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

    private ModelHandle? LoadIfNeeded(string modelKey)
    {
        if (_loaded.TryGetValue(modelKey, out var loaded))
        {
            return loaded;
        }
        if (_refused.ContainsKey(modelKey))
        {
            return null;
        }
        if (!_versions.TryGetValue(modelKey, out var version))
        {
            RefuseModel(modelKey, "not_registered", $"{modelKey} is not in the registry ({TopicCatalog.Models})");
            return null;
        }
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var handle = new ModelHandle(load(version));
            _loaded[modelKey] = handle;
            InferenceMetrics.ModelLoads.WithLabels("loaded", "").Inc();
            InferenceMetrics.ModelsLoaded.Inc();
            logger.LogInformation("Loaded {Model} ({Inputs} inputs, sha256 {Sha}) in {Ms:F0} ms", modelKey, version.inputs.Count,
                version.artifact_sha256, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return handle;
        }
        catch (ModelLoadException ex)
        {
            RefuseModel(modelKey, ex.Reason, ex.Message);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever else one version's load throws refuses that version (alert, metric, the previous version keeps
            // serving); thrown on, it would escape Reconcile and stop the registry watcher on every replay.
            RefuseModel(modelKey, ModelLoadException.LoadFailed, $"{modelKey}: loading failed: {ex.GetType().Name}: {ex.Message}");
            return null;
        }
    }

    private void RefuseModel(string modelKey, string reason, string message)
    {
        Record(modelKey, reason, message);
        logger.LogError("Refused {Model} ({Reason}): {Message}", modelKey, reason, message);
        ModelRefused?.Invoke(modelKey, reason, message);
    }

    private void RefuseRuleSet(string key, string reason, string message)
    {
        Record(RulesRefusalKey(key), reason, message);
        var (name, version) = SplitRuleSetKey(key);
        logger.LogError("Refused rule set {RuleSet} version {Version} ({Reason}): {Message}", name, version, reason, message);
        RuleSetRefused?.Invoke(name, version, reason, message);
    }

    // Rule-set refusals stay in mlops_inference_model_loads_total (reason rules_*) so existing series and queries keep
    // working; a deployment's route conflict is counted there too (reason route_conflict), one refusal series for all.
    private void Record(string refusalKey, string reason, string message)
    {
        _refused[refusalKey] = $"{reason}: {message}";
        InferenceMetrics.ModelLoads.WithLabels("refused", reason).Inc();
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

    public void Dispose()
    {
        lock (_gate)
        {
            var last = _current;
            Volatile.Write(ref _current, new ServingSnapshot([]));
            last.Release();
            foreach (var handle in _loaded.Values)
            {
                handle.Release();
            }
            _loaded.Clear();
        }
    }
}
