using MlOps.Common.Alerts;
using MlOps.Common.Spec;
using MlOps.Contracts;

namespace MlOps.Ingestion.Quality;

/// <summary>
/// Pure data-quality bookkeeping per event type: tumbling windows of <see cref="QualityThresholds.Window"/> events;
/// at each window's end the quarantine rate and each attribute's completeness are compared with the contract's
/// thresholds. An alert fires when a check starts failing and resolves when it passes again — one message per
/// change, not one per window, so a lasting breach is not a stream of pages.
/// </summary>
public sealed class DataQualityEvaluator
{
    public const string QuarantineRateAlert = "DataQuarantineRateHigh";
    public const string CompletenessAlert = "AttributeCompletenessLow";

    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly HashSet<string> _firing = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Counts one decoded event of a contracted type; returns the alerts to publish (usually none).</summary>
    public IReadOnlyList<AlertRequest> Record(DataContract contract, bool quarantined, IReadOnlyDictionary<string, object>? attributes)
    {
        lock (_gate)
        {
            if (!_windows.TryGetValue(contract.EventType, out var window))
            {
                _windows[contract.EventType] = window = new Window();
            }
            window.Add(quarantined, contract.Quality.MinCompleteness.Keys, attributes);
            if (window.Events < contract.Quality.Window)
            {
                return [];
            }
            var alerts = Evaluate(contract, window);
            window.Reset();
            return alerts;
        }
    }

    private List<AlertRequest> Evaluate(DataContract contract, Window window)
    {
        var alerts = new List<AlertRequest>();
        if (contract.Quality.MaxQuarantineRate is { } maxRate)
        {
            var rate = (double)window.Quarantined / window.Events;
            Transition(alerts, rate > maxRate, QuarantineRateAlert, AlertSeverity.warning,
                Labels(contract.EventType, null),
                $"{Percent(rate)} of the last {window.Events} {contract.EventType} events were quarantined (threshold {Percent(maxRate)})");
        }
        foreach (var (attribute, minimum) in contract.Quality.MinCompleteness)
        {
            var completeness = (double)window.Present.GetValueOrDefault(attribute) / window.Events;
            Transition(alerts, completeness < minimum, CompletenessAlert, AlertSeverity.warning,
                Labels(contract.EventType, attribute),
                $"{attribute} was present in {Percent(completeness)} of the last {window.Events} {contract.EventType} events (minimum {Percent(minimum)})");
        }
        return alerts;
    }

    private void Transition(List<AlertRequest> alerts, bool breached, string name, AlertSeverity severity,
        Dictionary<string, string> labels, string summary)
    {
        var identity = name + "|" + string.Join("|", labels.Values);
        var wasFiring = _firing.Contains(identity);
        if (breached == wasFiring)
        {
            return;
        }
        if (breached)
        {
            _firing.Add(identity);
        }
        else
        {
            _firing.Remove(identity);
        }
        alerts.Add(new AlertRequest(name, severity, labels,
            new Dictionary<string, string> { ["summary"] = summary }, Resolved: !breached));
    }

    private static Dictionary<string, string> Labels(string eventType, string? attribute)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["event_type"] = eventType };
        if (attribute is not null)
        {
            labels["attribute"] = attribute;
        }
        return labels;
    }

    private sealed class Window
    {
        public int Events { get; private set; }
        public int Quarantined { get; private set; }
        public Dictionary<string, int> Present { get; } = new(StringComparer.Ordinal);

        public void Add(bool quarantined, IEnumerable<string> tracked, IReadOnlyDictionary<string, object>? attributes)
        {
            Events++;
            Quarantined += quarantined ? 1 : 0;
            foreach (var attribute in tracked)
            {
                if (attributes?.GetValueOrDefault(attribute) is not null)
                {
                    Present[attribute] = Present.GetValueOrDefault(attribute) + 1;
                }
            }
        }

        public void Reset()
        {
            Events = 0;
            Quarantined = 0;
            Present.Clear();
        }
    }

    private static string Percent(double fraction) =>
        (fraction * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
}
