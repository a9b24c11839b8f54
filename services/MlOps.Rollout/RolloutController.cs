using MlOps.Contracts;
using MlOps.Rollout.Control;

namespace MlOps.Rollout;

/// <summary>
/// The controller's view of the world, fed by <see cref="RolloutWatcher"/> (rollouts, deployments, past rollout events)
/// and <see cref="PredictionsHandler"/> (the stage windows' metrics), and judged by <see cref="RolloutEvaluator"/>.
/// In memory only: on restart <see cref="RolloutRecovery"/> tells from the topics where each rollout stands.
/// </summary>
public sealed class RolloutController(TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, MlOps.Contracts.Rollout> _specs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Deployment> _deployments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RolloutHistory> _histories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActiveRollout> _active = new(StringComparer.Ordinal);

    /// <summary>A rollout record (null: a tombstone, the rollout is aborted).</summary>
    public void OnRollout(string key, MlOps.Contracts.Rollout? spec)
    {
        lock (_lock)
        {
            if (spec is null) _specs.Remove(key);
            else if (!_specs.TryGetValue(key, out var known) || known.revision <= spec.revision) _specs[key] = spec;
        }
    }

    /// <summary>A deployment record; older revisions are ignored, as Inference does.</summary>
    public void OnDeployment(string key, Deployment? record)
    {
        lock (_lock)
        {
            if (record is null) _deployments.Remove(key);
            else if (!_deployments.TryGetValue(key, out var known) || known.revision <= record.revision) _deployments[key] = record;
        }
    }

    /// <summary>A past transition: a rollout's latest tells a restarted controller where it stands.</summary>
    public void OnEvent(string key, RolloutEvent rolloutEvent)
    {
        lock (_lock)
        {
            if (!_histories.TryGetValue(key, out var history)) _histories[key] = history = new RolloutHistory();
            history.Add(rolloutEvent);
        }
    }

    /// <summary>Prediction.served_by of a row the routed arm's model did not serve: "fallback:&lt;model&gt;" or "fallback:constant".</summary>
    private const string FallbackPrefix = "fallback:";

    /// <summary>
    /// Counts a prediction into its rollout's stage window when it belongs there: made after the stage started, by the
    /// arm's model or by a fallback standing in for it.
    /// </summary>
    public bool OnPrediction(Prediction prediction)
    {
        lock (_lock)
        {
            if (!_active.TryGetValue($"{prediction.deployment}/{prediction.tenant_id}", out var rollout)
                && !_active.TryGetValue(prediction.deployment, out rollout))
            {
                return false;
            }
            if (rollout.Phase is not (RolloutPhase.Running or RolloutPhase.AwaitingApproval)
                || new DateTimeOffset(DateTime.SpecifyKind(prediction.predicted_at, DateTimeKind.Utc)) < rollout.StageStartedAt)
            {
                return false;
            }
            var model = prediction.ModelKey;
            // A rule-set rollout's candidate arm runs the champion's model: it is told apart by its arm name alone.
            var champion = rollout.Champion?.ModelKey;
            var expected = prediction.arm switch
            {
                RolloutArms.Candidate => rollout.Candidate.Model ?? champion,
                RolloutArms.Champion => champion,
                _ => null,
            };
            // A prediction the arm's model did not serve names what served it (a fallback model, or "constant"):
            // it still counts for the arm it was routed to, as the fallback the fallback_rate gate is about.
            var fellBack = prediction.served_by?.StartsWith(FallbackPrefix, StringComparison.Ordinal) == true;
            if (expected is null || (expected != model && !fellBack)) return false;
            rollout.Metrics.Record(prediction);
            return true;
        }
    }

    /// <summary>
    /// The rollouts to evaluate, after matching the rollout records with what the controller knows: the live ones, and
    /// the ones rolling back, whose rollback is not published in full yet. A started rollout whose record is gone is
    /// aborted: it rolls back, and is kept until that is published (a failed publish is retried at the next call). So
    /// is a rollout known only from its events, latest started or advanced, with no record (aborted while no controller
    /// ran, or before its rollback went out).
    /// </summary>
    internal (List<ActiveRollout> Live, List<ActiveRollout> RollingBack) Reconcile()
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            foreach (var (key, spec) in _specs)
            {
                if (_active.TryGetValue(key, out var known))
                {
                    if (known.IsSameRollout(spec))
                    {
                        known.Spec = spec;
                        continue;
                    }
                    // A new rollout under the key waits until the one before it is rolled back.
                    if (known.Phase == RolloutPhase.RollingBack) continue;
                }
                _active[key] = RolloutRecovery.Recover(key, spec, _histories.GetValueOrDefault(key), _deployments.GetValueOrDefault(key), now);
            }
            foreach (var rollout in _active.Values.Where(a => !_specs.ContainsKey(a.Key)).ToList())
            {
                if (rollout.Phase is RolloutPhase.Running or RolloutPhase.AwaitingApproval) rollout.BeginRollback(RolloutRecovery.AbortReason, aborted: true, [], now);
                else if (rollout.Phase != RolloutPhase.RollingBack) _active.Remove(rollout.Key);
            }
            foreach (var (key, history) in _histories)
            {
                if (!_specs.ContainsKey(key) && !_active.ContainsKey(key) && history.Latest is { } last
                    && last.action is not (RolloutActions.RolledBack or RolloutActions.Completed))
                {
                    _active[key] = RolloutRecovery.Orphan(key, last, history.OfSameRollout(last).PublishedRevision, _deployments.GetValueOrDefault(key), now);
                }
            }
            return (_active.Values.Where(a => !a.Finished && a.Phase != RolloutPhase.RollingBack).ToList(),
                _active.Values.Where(a => a.Phase == RolloutPhase.RollingBack).ToList());
        }
    }

    /// <summary>A rollback was published in full: the rollout is rolled back, and forgotten once its record is gone.</summary>
    internal void RolledBack(ActiveRollout rollout)
    {
        lock (_lock)
        {
            rollout.RolledBack();
            if (!_specs.TryGetValue(rollout.Key, out var spec) || !rollout.IsSameRollout(spec)) _active.Remove(rollout.Key);
        }
    }

    internal Deployment? DeploymentInForce(string key)
    {
        lock (_lock) return _deployments.GetValueOrDefault(key);
    }

    /// <summary>Records a revision this controller published, so the next one is newer even before it is read back.</summary>
    internal void Published(string key, Deployment deployment) => OnDeployment(key, deployment);

    /// <summary>Runs a state change of a rollout under the lock predictions are counted under.</summary>
    internal T Locked<T>(Func<T> action)
    {
        lock (_lock) return action();
    }

    public IReadOnlyList<ActiveRollout> Rollouts()
    {
        lock (_lock) return _active.Values.ToList();
    }
}
