using MlOps.Contracts;
using MlOps.Rollout.Control;

namespace MlOps.UnitTests.Rollouts;

public sealed class StageMetricsTests
{
    private static Prediction Prediction(string arm, double? probability, string? decision = "ok", string? fallbackReason = null,
        double modelLatency = 10, string servedBy = "arm")
    {
        var scores = new Dictionary<string, double>();
        if (probability is { } p) scores[StageMetrics.ProbabilityScore] = p;
        return new Prediction
        {
            arm = arm, scores = scores, decision = decision, fallback_reason = fallbackReason, served_by = servedBy,
            latency_ms = 250, latency_model_ms = modelLatency,
        };
    }

    [Fact]
    public void Counts_errors_fallbacks_and_mean_probability_per_arm()
    {
        var metrics = new StageMetrics();
        metrics.Record(Prediction(RolloutArms.Candidate, 0.2));
        metrics.Record(Prediction(RolloutArms.Candidate, 0.4, fallbackReason: "timeout", servedBy: "fallback:delay:1"));
        metrics.Record(Prediction(RolloutArms.Candidate, null, decision: null));
        metrics.Record(Prediction(RolloutArms.Candidate, 0.6, decision: null));
        metrics.Record(Prediction(RolloutArms.Champion, 0.5));
        metrics.Record(Prediction("stable", 0.9));

        Assert.Equal(4, metrics.Candidate.Count);
        Assert.Equal(0.5, metrics.Candidate.ErrorRate);
        Assert.Equal(0.25, metrics.Candidate.FallbackRate);
        Assert.Equal(0.4, metrics.Candidate.MeanProbability!.Value, 10);
        Assert.Equal(1, metrics.Champion.Count);
        Assert.Equal(0.1, metrics.ScoreShift!.Value, 10);
    }

    [Fact]
    public void P99_latency_is_the_nearest_rank_of_the_window()
    {
        var arm = new ArmMetrics();
        for (var i = 1; i <= 200; i++) arm.Record(0.5, true, false, i);

        Assert.Equal(198, arm.LatencyP99Ms);
    }

    [Fact]
    public void P99_latency_stays_close_on_a_window_larger_than_the_sample_bound()
    {
        var arm = new ArmMetrics();
        for (var i = 0; i < 3 * ArmMetrics.MaxLatencySamples; i++) arm.Record(0.5, true, false, i % 1000);

        Assert.Equal(3 * ArmMetrics.MaxLatencySamples, arm.Count);
        Assert.InRange(arm.LatencyP99Ms, 980, 999);
    }

    [Fact]
    public void Score_shift_is_unknown_until_both_arms_scored()
    {
        var metrics = new StageMetrics();
        metrics.Record(Prediction(RolloutArms.Candidate, 0.3));

        Assert.Null(metrics.ScoreShift);
        Assert.False(metrics.Snapshot().ContainsKey(GateMetric.ScoreShift));
    }

    [Fact]
    public void The_latency_gate_measures_the_arms_model_run_not_the_shared_micro_batch()
    {
        var metrics = new StageMetrics();
        // One micro-batch: the same end-to-end latency_ms (250) on every row, each arm's own model time apart.
        for (var i = 0; i < 100; i++)
        {
            metrics.Record(Prediction(RolloutArms.Candidate, 0.3, modelLatency: 40));
            metrics.Record(Prediction(RolloutArms.Champion, 0.3, modelLatency: 4));
        }
        // No model ran for this row (unscorable, the constant served): not a latency sample.
        metrics.Record(Prediction(RolloutArms.Candidate, 0.2, fallbackReason: "missing_required_feature", modelLatency: 0, servedBy: "fallback:constant"));

        Assert.Equal(40, metrics.Value(GateMetric.LatencyP99Ms));
        Assert.Equal(4, metrics.Champion.LatencyP99Ms);
        Assert.Equal(40, metrics.Snapshot()[GateMetric.LatencyP99Ms]);
    }

    [Fact]
    public void Score_shift_compares_only_probabilities_the_arms_own_models_produced()
    {
        var metrics = new StageMetrics();
        metrics.Record(Prediction(RolloutArms.Candidate, 0.3));
        metrics.Record(Prediction(RolloutArms.Candidate, 0.9, fallbackReason: "timeout: delay:2 took 80.0 ms", servedBy: "fallback:delay:1"));
        metrics.Record(Prediction(RolloutArms.Candidate, 0.95, fallbackReason: "missing_required_feature", servedBy: "fallback:constant"));
        metrics.Record(Prediction(RolloutArms.Champion, 0.35));
        metrics.Record(Prediction(RolloutArms.Champion, 0.0, fallbackReason: "model_error", servedBy: "fallback:constant"));

        Assert.Equal(0.05, metrics.Value(GateMetric.ScoreShift)!.Value, 10);
        // The fallbacks still count for their arm, as samples and as fallbacks.
        Assert.Equal((3, 2.0 / 3), (metrics.Candidate.Count, metrics.Candidate.FallbackRate));
    }

    [Fact]
    public void Score_shift_is_unknown_while_only_fallbacks_served_an_arm()
    {
        var metrics = new StageMetrics();
        metrics.Record(Prediction(RolloutArms.Candidate, 0.2, fallbackReason: "missing_required_feature", servedBy: "fallback:constant"));
        metrics.Record(Prediction(RolloutArms.Champion, 0.3));

        Assert.Null(metrics.ScoreShift);
    }
}
