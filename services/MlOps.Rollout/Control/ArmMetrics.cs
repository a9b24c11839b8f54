using MlOps.Common.Stats;

namespace MlOps.Rollout.Control;

/// <summary>One arm's live numbers over the current stage window: what the gates are judged on.</summary>
public sealed class ArmMetrics
{
    /// <summary>Latency samples kept per window: exact below it, a uniform reservoir sample above (p99 within a fraction of a percent).</summary>
    public const int MaxLatencySamples = 100_000;

    private readonly List<double> _latencies = [];
    private readonly Random _reservoir = new(17);
    private long _latencySamplesSeen;
    private double _probabilitySum;

    public long Count { get; private set; }

    /// <summary>Predictions without a probability score or without a decision (the model failed to score).</summary>
    public long Errors { get; private set; }

    /// <summary>Predictions not served by the routed arm (fallback_reason set).</summary>
    public long Fallbacks { get; private set; }

    /// <summary>Predictions with a probability the arm's own model produced (not a fallback's or the constant).</summary>
    public long Scored { get; private set; }

    public double ErrorRate => Count == 0 ? 0 : (double)Errors / Count;

    public double FallbackRate => Count == 0 ? 0 : (double)Fallbacks / Count;

    /// <summary>Mean probability over the predictions the arm's own model scored (null when it scored none).</summary>
    public double? MeanProbability => Scored == 0 ? null : _probabilitySum / Scored;

    /// <summary>The 99th percentile model latency (nearest rank), 0 without samples.</summary>
    public double LatencyP99Ms
    {
        get
        {
            if (_latencies.Count == 0) return 0;
            var sorted = _latencies.ToArray();
            Array.Sort(sorted);
            return Quantiles.NearestRank(sorted, 0.99);
        }
    }

    /// <param name="probability">The served probability, whoever served it.</param>
    /// <param name="hasDecision">Whether the prediction has a decision.</param>
    /// <param name="fellBack">Whether the routed arm's model did not serve (fallback_reason set).</param>
    /// <param name="modelLatencyMs">The model time the prediction took part in (latency_model_ms); null when no model ran for it.</param>
    /// <param name="servedByArm">Whether the arm's own model produced the probability: only then does it count for score_shift.</param>
    public void Record(double? probability, bool hasDecision, bool fellBack, double? modelLatencyMs, bool servedByArm = true)
    {
        Count++;
        if (probability is null || !hasDecision) Errors++;
        if (fellBack) Fallbacks++;
        if (servedByArm && probability is { } p && double.IsFinite(p))
        {
            Scored++;
            _probabilitySum += p;
        }
        if (modelLatencyMs is not { } latency) return;
        // A long stage on busy traffic sees millions of predictions: keep a bounded uniform sample (algorithm R).
        _latencySamplesSeen++;
        if (_latencies.Count < MaxLatencySamples)
        {
            _latencies.Add(latency);
        }
        else if (_reservoir.NextInt64(_latencySamplesSeen) is var slot && slot < MaxLatencySamples)
        {
            _latencies[(int)slot] = latency;
        }
    }
}
