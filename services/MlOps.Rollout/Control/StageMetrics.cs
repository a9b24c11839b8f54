using MlOps.Contracts;

namespace MlOps.Rollout.Control;

/// <summary>
/// The candidate's and the champion's numbers since the current stage started.
/// </summary>
/// <remarks>
/// In a shadow stage of a rule-set rollout (<see cref="RulesShadow"/>) there is no candidate arm: the candidate is
/// the deployment's shadow_rules, evaluated on the champion's predictions. Every champion prediction then counts for
/// the champion, and for the candidate when the shadow set was evaluated on it (a shadow_decision) or when it could not
/// be scored at all (an error either way); a scored prediction without a shadow_decision came from a revision before
/// the stage's and is not the candidate's. The candidate's error, fallback and model latency numbers are thus the champion's
/// model's on the predictions the candidate saw, and score_shift is |share of shadow_decision 'positive' − share of
/// decision 'positive'| over the same predictions: how much the candidate would change what is decided.
/// </remarks>
public sealed class StageMetrics(bool rulesShadow = false)
{
    public const string ProbabilityScore = "probability";
    public const string Positive = "positive";

    /// <summary>Prediction.served_by of a row the arm's own model did not serve.</summary>
    private const string FallbackPrefix = "fallback:";

    private long _decided;
    private long _positive;
    private long _shadowPositive;

    public ArmMetrics Candidate { get; } = new();

    public ArmMetrics Champion { get; } = new();

    /// <summary>Whether this is a rule-set rollout's shadow stage, judged on the champion's shadow decisions.</summary>
    public bool RulesShadow { get; } = rulesShadow;

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
        var hasDecision = prediction.decision is not null;
        var fellBack = prediction.fallback_reason is not null;
        // latency_ms is the whole micro-batch's (features, every model, shadows, fallbacks), the same for both arms;
        // latency_model_ms is the run of this prediction's own model (0: no model ran, not a sample).
        double? modelLatency = prediction.latency_model_ms > 0 ? prediction.latency_model_ms : null;
        var servedByArm = !fellBack && prediction.served_by?.StartsWith(FallbackPrefix, StringComparison.Ordinal) != true;
        arm.Record(probability, hasDecision, fellBack, modelLatency, servedByArm);
        if (!RulesShadow || arm != Champion) return;
        if (prediction.shadow_decision is { } shadow)
        {
            Candidate.Record(probability, hasDecision, fellBack, modelLatency, servedByArm);
            // Both rule sets judged a fallback's (or the constant's) score: not the champion's model, left out as above.
            if (prediction.decision is { } decision && servedByArm)
            {
                _decided++;
                if (decision == Positive) _positive++;
                if (shadow == Positive) _shadowPositive++;
            }
        }
        else if (probability is null || prediction.decision is null)
        {
            Candidate.Record(probability, hasDecision, fellBack, modelLatency, servedByArm);
        }
    }

    /// <summary>
    /// |mean candidate probability − mean champion probability| over the predictions each arm's own model served
    /// (a fallback's or the constant's score says nothing of the model); null until both have scored. In a rule-set
    /// shadow stage, the difference of the 'positive' shares of shadow_decision and decision over the predictions the
    /// champion's model served; null until one was decided.
    /// </summary>
    public double? ScoreShift => RulesShadow
        ? _decided == 0 ? null : Math.Abs((double)_shadowPositive / _decided - (double)_positive / _decided)
        : Candidate.MeanProbability is { } c && Champion.MeanProbability is { } h ? Math.Abs(c - h) : null;

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
