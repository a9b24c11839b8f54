using MlOps.Contracts;
using MlOps.Models;

namespace MlOps.Inference.Serving;

/// <summary>
/// The registry and deployments as this instance knows them, and the models loaded for them. Updates come from one
/// thread (the registry watcher); each one reconciles: loads the model versions deployments ask for, and publishes a
/// new <see cref="ServingSnapshot"/>. A version that cannot be loaded (missing artifact, hash mismatch, corrupt ONNX,
/// signature mismatch) is refused with its reason and the deployment keeps serving the model it had.
/// </summary>
/// <remarks>
/// This class holds the lock, the deployments, the snapshot and the choice of which deployment serves each route;
/// the model versions and loaded models (<see cref="LoadedModels"/>), the rule sets (<see cref="CompiledRuleSets"/>),
/// what was refused (<see cref="RefusalLedger"/>) and the building of one deployment's route
/// (<see cref="DeploymentRouteBuilder"/>) live in helpers that are only ever called under that lock.
/// </remarks>
public sealed class ServingState : IDisposable
{
    private readonly Dictionary<string, Deployment> _deployments = new(StringComparer.Ordinal);
    private readonly RefusalLedger _refusals = new();
    private readonly LoadedModels _models;
    private readonly CompiledRuleSets _rules;
    private readonly DeploymentRouteBuilder _routes;
    private readonly ILogger<ServingState> _logger;
    private readonly Lock _gate = new();
    private ServingSnapshot _current = new([]);

    public ServingState(Func<ModelVersion, OnnxModel> load, ILogger<ServingState> logger)
    {
        _logger = logger;
        _models = new LoadedModels(load, _refusals, logger);
        _rules = new CompiledRuleSets(_refusals, logger);
        _routes = new DeploymentRouteBuilder(_models, _rules, logger);
    }

    /// <summary>Raised after a model version was refused: (model key, reason code, message).</summary>
    public event Action<string, string, string>? ModelRefused
    {
        add => _models.Refused += value;
        remove => _models.Refused -= value;
    }

    /// <summary>
    /// Raised after a rule set version a deployment names was refused: (rule set name, version, reason code, message).
    /// Its own event, not <see cref="ModelRefused"/>, so nothing downstream reports a rule set as a model.
    /// </summary>
    public event Action<string, string, string, string>? RuleSetRefused
    {
        add => _rules.Refused += value;
        remove => _rules.Refused -= value;
    }

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
                return _refusals.Copy();
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
            _models.OnModelVersion(key, version);
        }
    }

    /// <summary>A rule set record (null = tombstone). Versions are immutable; a republished one replaces its compilation.</summary>
    public void OnRuleSet(string key, RuleSet? set)
    {
        lock (_gate)
        {
            _rules.OnRuleSet(key, set);
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
                if (_routes.RouteOf(key, deployment) is { } route)
                {
                    candidate = route;
                }
                else if (previous.Routes.FirstOrDefault(r => r.Key == key) is { } kept)
                {
                    _logger.LogWarning("Deployment {Deployment} revision {Revision} cannot be served; revision {Kept} keeps serving",
                        key, deployment.revision, kept.Deployment.revision);
                    candidate = kept;
                }
                else
                {
                    _logger.LogWarning("Deployment {Deployment} revision {Revision} cannot be served; nothing serves it", key, deployment.revision);
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

            _models.UnloadAllBut(routes.SelectMany(r => r.Models).Select(m => m.Model.Key).ToHashSet(StringComparer.Ordinal));
        }
    }

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
        _refusals.ClearDeploymentsExcept(conflicts);
        foreach (var (key, message) in conflicts)
        {
            if (_refusals.Holds(RefusalLedger.DeploymentKey(key), RouteConflict, message))
            {
                continue;
            }
            _refusals.Record(RefusalLedger.DeploymentKey(key), RouteConflict, message);
            _logger.LogError("Refused deployment {Deployment} ({Reason}): {Message}", key, RouteConflict, message);
            DeploymentRefused?.Invoke(key, RouteConflict, message);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            var last = _current;
            Volatile.Write(ref _current, new ServingSnapshot([]));
            last.Release();
            _models.ReleaseAll();
        }
    }
}
