using MlOps.Contracts;
using MlOps.Rollout.Control;

namespace MlOps.UnitTests.Rollouts;

public sealed class StageMetricsTests
{
    private static Prediction Prediction(string arm, double? probability, string? decision = "ok", string? fallbackReason = null, double latency = 10)
    {
        var scores = new Dictionary<string, double>();
        if (probability is { } p) scores[StageMetrics.ProbabilityScore] = p;
        return new Prediction { arm = arm, scores = scores, decision = decision, fallback_reason = fallbackReason, latency_ms = latency };
    }

    [Fact]
    public void Counts_errors_fallbacks_and_mean_probability_per_arm()
    {
        var metrics = new StageMetrics();
        metrics.Record(Prediction(RolloutArms.Candidate, 0.2));
        metrics.Record(Prediction(RolloutArms.Candidate, 0.4, fallbackReason: "timeout"));
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
}
