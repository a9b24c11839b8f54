using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Rollout.Control;
using RolloutSpec = MlOps.Contracts.Rollout;

namespace MlOps.UnitTests.Rollouts;

public sealed class RolloutDeciderTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 29, 4, 0, 0, TimeSpan.Zero));

    private static RolloutStage Stage(string name, double weight, bool shadow = false, long minMs = 60_000, long minSamples = 10, bool manual = false, params (string Metric, double Max)[] gates) => new()
    {
        name = name,
        traffic_weight = weight,
        shadow = shadow,
        min_duration_ms = minMs,
        min_samples = minSamples,
        manual = manual,
        gates = gates.Select(g => new RolloutGate { metric = g.Metric, max = g.Max }).ToList(),
    };

    private static RolloutSpec Rollout(params RolloutStage[] stages) => new()
    {
        deployment = "flights",
        candidate_model = "delay:2",
        stages = stages.ToList(),
        revision = 1,
    };

    private static readonly RolloutSpec ThreeStages = Rollout(
        Stage("shadow", 0, shadow: true, gates: [(GateMetric.ErrorRate, 0.01), (GateMetric.ScoreShift, 0.1)]),
        Stage("canary", 0.05, manual: true, gates: [(GateMetric.FallbackRate, 0.05), (GateMetric.LatencyP99Ms, 50)]),
        Stage("full", 1, gates: [(GateMetric.ErrorRate, 0.01)]));

    private static StageMetrics Healthy(int candidates = 20, int champions = 20)
    {
        var metrics = new StageMetrics();
        for (var i = 0; i < candidates; i++) metrics.Candidate.Record(0.40, true, false, 10);
        for (var i = 0; i < champions; i++) metrics.Champion.Record(0.42, true, false, 12);
        return metrics;
    }

    private RolloutDecision Decide(RolloutSpec rollout, int stage, DateTimeOffset started, StageMetrics metrics, params string[] approvals) =>
        RolloutDecider.Decide(rollout, stage, started, _clock.GetUtcNow(), metrics, approvals);

    [Fact]
    public void Waits_until_the_stage_ran_its_minimum_duration_even_with_failing_metrics()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(59));
        var metrics = Healthy();
        metrics.Candidate.Record(null, false, true, 900);

        var decision = Decide(ThreeStages, 0, started, metrics);

        var wait = Assert.IsType<RolloutDecision.Wait>(decision);
        Assert.Contains("59s of 60s", wait.Reason);
    }

    [Fact]
    public void Waits_until_the_candidate_reached_its_minimum_samples()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(5));

        var decision = Decide(ThreeStages, 0, started, Healthy(candidates: 9));

        var wait = Assert.IsType<RolloutDecision.Wait>(decision);
        Assert.Contains("9 of 10 candidate predictions", wait.Reason);
    }

    [Fact]
    public void Advances_to_the_next_stage_when_every_gate_holds()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));

        var decision = Decide(ThreeStages, 0, started, Healthy());

        var advance = Assert.IsType<RolloutDecision.Advance>(decision);
        Assert.Equal(1, advance.ToStage);
        Assert.Contains("error_rate 0 <= 0.01", advance.Reason);
        Assert.Contains("score_shift 0.02 <= 0.1", advance.Reason);
    }

    [Fact]
    public void Rolls_back_naming_the_gate_its_value_and_max_when_a_gate_fails()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(2));
        var metrics = Healthy(candidates: 18);
        metrics.Candidate.Record(0.4, true, fellBack: true, 10);
        metrics.Candidate.Record(0.4, true, fellBack: true, 10);

        var decision = Decide(ThreeStages, 1, started, metrics, "canary");

        var rolledBack = Assert.IsType<RolloutDecision.RolledBack>(decision);
        Assert.Contains("fallback_rate 0.1 exceeds max 0.05", rolledBack.Reason);
        Assert.Contains("'canary'", rolledBack.Reason);
    }

    [Fact]
    public void Rolls_back_when_the_candidate_p99_latency_exceeds_its_gate()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));
        var metrics = Healthy(candidates: 98);
        metrics.Candidate.Record(0.4, true, false, 80);
        metrics.Candidate.Record(0.4, true, false, 90);

        var decision = Decide(ThreeStages, 1, started, metrics, "canary");

        Assert.Contains("latency_p99_ms 80 exceeds max 50", Assert.IsType<RolloutDecision.RolledBack>(decision).Reason);
    }

    [Fact]
    public void Rolls_back_when_the_candidate_scores_drift_from_the_champion()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));
        var metrics = new StageMetrics();
        for (var i = 0; i < 10; i++) metrics.Candidate.Record(0.9, true, false, 5);
        for (var i = 0; i < 10; i++) metrics.Champion.Record(0.3, true, false, 5);

        var decision = Decide(ThreeStages, 0, started, metrics);

        Assert.Contains("score_shift 0.6 exceeds max 0.1", Assert.IsType<RolloutDecision.RolledBack>(decision).Reason);
    }

    [Fact]
    public void Counts_unscored_predictions_as_errors()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));
        var metrics = Healthy(candidates: 9);
        metrics.Candidate.Record(null, hasDecision: false, false, 5);

        Assert.IsType<RolloutDecision.RolledBack>(Decide(ThreeStages, 0, started, metrics));
    }

    [Fact]
    public void Waits_for_score_shift_until_the_champion_has_scored()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));

        var decision = Decide(ThreeStages, 0, started, Healthy(champions: 0));

        Assert.Contains("score_shift cannot be measured", Assert.IsType<RolloutDecision.Wait>(decision).Reason);
    }

    [Fact]
    public void A_manual_stage_with_passing_gates_awaits_approval()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));

        var decision = Decide(ThreeStages, 1, started, Healthy());

        Assert.IsType<RolloutDecision.AwaitApproval>(decision);
    }

    [Fact]
    public void An_approved_manual_stage_advances()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));

        var decision = Decide(ThreeStages, 1, started, Healthy(), "canary");

        Assert.Equal(2, Assert.IsType<RolloutDecision.Advance>(decision).ToStage);
    }

    [Fact]
    public void An_approval_does_not_override_a_failing_gate()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));
        var metrics = Healthy(candidates: 10);
        metrics.Candidate.Record(0.4, true, true, 10);

        Assert.IsType<RolloutDecision.RolledBack>(Decide(ThreeStages, 1, started, metrics, "canary"));
    }

    [Fact]
    public void Passing_the_last_stage_completes_the_rollout()
    {
        var started = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.IsType<RolloutDecision.Completed>(Decide(ThreeStages, 2, started, Healthy()));
    }

    [Fact]
    public void A_stage_with_no_minimums_and_no_gates_advances_at_once()
    {
        var rollout = Rollout(Stage("warmup", 0, shadow: true, minMs: 0, minSamples: 0), Stage("full", 1));

        Assert.IsType<RolloutDecision.Advance>(Decide(rollout, 0, _clock.GetUtcNow(), new StageMetrics()));
    }
}
