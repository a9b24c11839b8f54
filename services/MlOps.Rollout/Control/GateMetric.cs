namespace MlOps.Rollout.Control;

/// <summary>The gate metrics RolloutGate.avsc names.</summary>
public static class GateMetric
{
    public const string ErrorRate = "error_rate";
    public const string FallbackRate = "fallback_rate";
    public const string LatencyP99Ms = "latency_p99_ms";
    public const string ScoreShift = "score_shift";

    public static readonly IReadOnlyList<string> All = [ErrorRate, FallbackRate, LatencyP99Ms, ScoreShift];
}
