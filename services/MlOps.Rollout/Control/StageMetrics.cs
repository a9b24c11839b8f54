using MlOps.Contracts;

namespace MlOps.Rollout.Control;

/// <summary>The candidate's and the champion's numbers since the current stage started.</summary>
public sealed class StageMetrics
{
    public const string ProbabilityScore = "probability";

    public ArmMetrics Candidate { get; } = new();

    public ArmMetrics Champion { get; } = new();

    /// <summary>Counts a prediction of the deployment to its arm; other arms (and other deployments) are ignored.</summary>
    public void Record(Prediction prediction)
    {
        var arm = prediction.arm switch
        {
            RolloutArms.Candidate => Candidate,
            RolloutArms.Champion => Champion,
            _ => null,
        };
        if (arm is null) return;
        double? probability = prediction.scores is not null && prediction.scores.TryGetValue(ProbabilityScore, out var p) ? p : null;
        arm.Record(probability, prediction.decision is not null, prediction.fallback_reason is not null, prediction.latency_ms);
    }

    /// <summary>|mean candidate probability − mean champion probability|; null until both have scored.</summary>
    public double? ScoreShift =>
        Candidate.MeanProbability is { } c && Champion.MeanProbability is { } h ? Math.Abs(c - h) : null;

    /// <summary>The gate's metric, or null when it cannot be measured yet (score_shift without champion scores).</summary>
    public double? Value(string metric) => metric switch
    {
        GateMetric.ErrorRate => Candidate.ErrorRate,
        GateMetric.FallbackRate => Candidate.FallbackRate,
        GateMetric.LatencyP99Ms => Candidate.LatencyP99Ms,
        GateMetric.ScoreShift => ScoreShift,
        _ => null,
    };

    /// <summary>What a rollout event carries as the numbers its transition was decided on.</summary>
    public Dictionary<string, double> Snapshot()
    {
        var snapshot = new Dictionary<string, double>
        {
            ["candidate_samples"] = Candidate.Count,
            ["champion_samples"] = Champion.Count,
            [GateMetric.ErrorRate] = Candidate.ErrorRate,
            [GateMetric.FallbackRate] = Candidate.FallbackRate,
            [GateMetric.LatencyP99Ms] = Candidate.LatencyP99Ms,
        };
        if (ScoreShift is { } shift) snapshot[GateMetric.ScoreShift] = shift;
        return snapshot;
    }
}
