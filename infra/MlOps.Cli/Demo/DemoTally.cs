using MlOps.Common.Stats;
using MlOps.Contracts;
using MlOps.Inference.Serving;

namespace MlOps.Cli.Demo;

/// <summary>
/// Counts a demo run from what its topics hold: events in, validated and quarantined, predictions per arm (each
/// departure should be scored once by every arm), and labels joined to the predictions they judge. Pure: the
/// caller feeds it records in any order.
/// </summary>
public sealed class DemoTally(string departureType, IReadOnlyList<string> arms)
{
    private readonly Dictionary<string, int> _raw = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _validated = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _quarantined = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _departures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ArmTally> _arms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Label> _labels = new(StringComparer.Ordinal);

    public void OnRaw(EventEnvelope e) => Increment(_raw, e.event_type);

    public void OnValidated(EventEnvelope e)
    {
        Increment(_validated, e.event_type);
        if (e.event_type == departureType) _departures[e.event_id] = e.event_time;
    }

    public void OnQuarantined(QuarantinedEvent q) =>
        Increment(_quarantined, q.reasons.Count > 0 ? q.reasons[0].rule : "unknown");

    public void OnPrediction(Prediction p)
    {
        if (!_arms.TryGetValue(p.arm, out var arm))
        {
            _arms[p.arm] = arm = new ArmTally(p.is_shadow);
        }
        arm.Record(p);
    }

    public void OnLabel(Label label) => _labels[label.join_key] = label;

    /// <summary>
    /// Everything that went in came out: every raw event validated or quarantined, and every validated departure
    /// scored by every expected arm.
    /// </summary>
    public bool Drained =>
        _departures.Count > 0
        && _raw.Values.Sum() == _validated.Values.Sum() + _quarantined.Values.Sum()
        && arms.All(a => _arms.TryGetValue(a, out var arm) && _departures.Keys.All(arm.Scored.ContainsKey));

    /// <summary>What is still missing, for a run that did not drain in time.</summary>
    public string Missing()
    {
        var parts = new List<string>();
        var unaccounted = _raw.Values.Sum() - _validated.Values.Sum() - _quarantined.Values.Sum();
        if (unaccounted != 0) parts.Add($"{unaccounted} raw events neither validated nor quarantined");
        foreach (var name in arms)
        {
            var scored = _arms.TryGetValue(name, out var arm) ? _departures.Keys.Count(arm.Scored.ContainsKey) : 0;
            if (scored < _departures.Count) parts.Add($"arm {name}: {_departures.Count - scored} of {_departures.Count} departures unscored");
        }
        return parts.Count == 0 ? "nothing" : string.Join("; ", parts);
    }

    public DemoSummary Summarize()
    {
        var armSummaries = _arms.OrderBy(a => a.Value.Shadow).ThenBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => a.Value.Summarize(a.Key, _departures, _labels)).ToList();
        // Once per label, against the departure it judges (the event time every arm scored it at).
        var delays = new List<double>();
        var notAfter = 0;
        foreach (var (key, label) in _labels)
        {
            if (!_departures.TryGetValue(key, out var departed)) continue;
            if (label.observed_at <= departed) notAfter++;
            delays.Add((label.observed_at - departed).TotalHours);
        }
        return new DemoSummary(
            Sorted(_raw), Sorted(_validated), Sorted(_quarantined), armSummaries,
            _labels.Count,
            _labels.Count == 0 ? 0 : _labels.Values.Count(l => l.value > 0.5) / (double)_labels.Count,
            notAfter,
            delays.Count == 0 ? 0 : delays.Average());
    }

    private static void Increment(Dictionary<string, int> counts, string key) =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

    private static SortedDictionary<string, int> Sorted(Dictionary<string, int> counts) => new(counts, StringComparer.Ordinal);

    private sealed class ArmTally(bool shadow)
    {
        private readonly List<double> _latencies = [];
        private readonly HashSet<string> _models = new(StringComparer.Ordinal);
        private int _predictions;
        private int _duplicates;
        private int _unscored;
        private int _fallbacks;

        public bool Shadow { get; } = shadow;

        /// <summary>Per scored event id: its probability and event time (the first prediction of it).</summary>
        public Dictionary<string, (double Probability, DateTime EventTime)> Scored { get; } = new(StringComparer.Ordinal);

        public void Record(Prediction p)
        {
            _predictions++;
            _latencies.Add(p.latency_ms);
            _models.Add(p.ModelKey);
            // Unscored rows (served_by "none") are counted as unscored below, not as served by a fallback.
            if (p.served_by is not ("arm" or Scorer.ServedByNone)) _fallbacks++;
            if (p.event_id is not { } id || !p.scores.TryGetValue(Scorer.ProbabilityScore, out var probability))
            {
                _unscored++;
            }
            else if (!Scored.TryAdd(id, (probability, p.event_time)))
            {
                _duplicates++;
            }
        }

        public ArmSummary Summarize(string name, Dictionary<string, DateTime> departures, Dictionary<string, Label> labels)
        {
            var sorted = _latencies.Order().ToArray();
            var joined = Scored.Where(s => labels.ContainsKey(s.Key))
                .Select(s => (s.Value.Probability, labels[s.Key].value > 0.5)).ToList();
            return new ArmSummary(
                name, string.Join(",", _models.Order(StringComparer.Ordinal)), Shadow, _predictions,
                Scored.Keys.Count(departures.ContainsKey),
                _duplicates,
                _unscored,
                _fallbacks,
                Scored.Count == 0 ? double.NaN : Scored.Values.Average(s => s.Probability),
                Quantiles.NearestRank(sorted, 0.50), Quantiles.NearestRank(sorted, 0.95), Quantiles.NearestRank(sorted, 0.99),
                joined.Count,
                BinaryAuc.Compute(joined));
        }
    }
}
