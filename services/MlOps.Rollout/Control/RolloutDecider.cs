using System.Globalization;
using MlOps.Contracts;

namespace MlOps.Rollout.Control;

/// <summary>
/// The rollout state machine's one rule, free of I/O: a stage is judged once it ran its minimum duration and saw its
/// minimum candidate samples; then a failing gate rolls back, and passing gates advance (or complete after the last
/// stage, or wait for an approval on a manual stage).
/// </summary>
public static class RolloutDecider
{
    public static RolloutDecision Decide(
        MlOps.Contracts.Rollout rollout,
        int stageIndex,
        DateTimeOffset stageStartedAt,
        DateTimeOffset now,
        StageMetrics metrics,
        IReadOnlyCollection<string> approvals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stageIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stageIndex, rollout.stages.Count);
        var stage = rollout.stages[stageIndex];
        var elapsed = now - stageStartedAt;
        var minimum = TimeSpan.FromMilliseconds(stage.min_duration_ms);
        if (elapsed < minimum)
        {
            return new RolloutDecision.Wait($"stage '{stage.name}' ran {Format(elapsed)} of {Format(minimum)}");
        }
        if (metrics.Candidate.Count < stage.min_samples)
        {
            return new RolloutDecision.Wait($"stage '{stage.name}' saw {metrics.Candidate.Count} of {stage.min_samples} candidate predictions");
        }
        foreach (var gate in stage.gates)
        {
            if (!GateMetric.All.Contains(gate.metric))
            {
                return new RolloutDecision.RolledBack($"stage '{stage.name}': gate metric '{gate.metric}' is unknown");
            }
            if (metrics.Value(gate.metric) is not { } value)
            {
                var missing = metrics.RulesShadow ? "no shadow decisions" : "no champion scores";
                return new RolloutDecision.Wait($"stage '{stage.name}': {gate.metric} cannot be measured yet ({missing})");
            }
            if (value > gate.max)
            {
                return new RolloutDecision.RolledBack(
                    $"stage '{stage.name}': {gate.metric} {Number(value)} exceeds max {Number(gate.max)} over {metrics.Candidate.Count} candidate predictions");
            }
        }
        var passed = stage.gates.Count == 0
            ? $"stage '{stage.name}' ran {Format(elapsed)} with {metrics.Candidate.Count} candidate predictions (no gates)"
            : $"stage '{stage.name}' passed {string.Join(", ", stage.gates.Select(g => $"{g.metric} {Number(metrics.Value(g.metric)!.Value)} <= {Number(g.max)}"))} over {metrics.Candidate.Count} candidate predictions";
        if (stage.manual && !approvals.Contains(stage.name))
        {
            return new RolloutDecision.AwaitApproval(passed + "; awaiting './mlops rollout approve'");
        }
        return stageIndex + 1 < rollout.stages.Count
            ? new RolloutDecision.Advance(stageIndex + 1, passed)
            : new RolloutDecision.Completed(passed);
    }

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Format(TimeSpan span) =>
        span.TotalSeconds < 1 ? $"{span.TotalMilliseconds:0}ms" : span.TotalMinutes < 2 ? $"{span.TotalSeconds:0.#}s" : $"{span.TotalMinutes:0.#}m";
}
