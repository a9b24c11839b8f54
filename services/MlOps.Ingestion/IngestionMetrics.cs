using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MlOps.Common.Spec;
using MlOps.Common.Validation;
using MlOps.Ingestion.Pipeline;
using Prometheus;

namespace MlOps.Ingestion;

/// <summary>
/// Data-quality metrics. Labels are bounded: event types and attributes come from the data contracts (anything
/// else is reported as "unknown"), reasons are rule codes, sources are kafka/http.
/// </summary>
public static class IngestionMetrics
{
    private const string Unknown = "unknown";

    public static readonly Counter Events = Metrics.CreateCounter(
        "mlops_ingestion_events_total", "Inputs by source, event type and outcome (validated, quarantined, duplicate).",
        "source", "event_type", "outcome");

    public static readonly Counter Quarantined = Metrics.CreateCounter(
        "mlops_ingestion_quarantined_total", "Quarantine reasons by event type and rule (an input can have several).",
        "event_type", "rule");

    public static readonly Counter AttributeChecked = Metrics.CreateCounter(
        "mlops_ingestion_attribute_checked_total", "Decoded events checked, per contract attribute (completeness denominator).",
        "event_type", "attribute");

    public static readonly Counter AttributePresent = Metrics.CreateCounter(
        "mlops_ingestion_attribute_present_total", "Events where the attribute was present and non-null (completeness numerator).",
        "event_type", "attribute");

    public static readonly Counter OutOfBounds = Metrics.CreateCounter(
        "mlops_ingestion_attribute_out_of_bounds_total", "Attribute values outside min/max.", "event_type", "attribute");

    public static readonly Counter UnseenCategories = Metrics.CreateCounter(
        "mlops_ingestion_attribute_unseen_category_total", "String values not among allowed_values.", "event_type", "attribute");

    public static readonly Histogram EventTimeLag = Metrics.CreateHistogram(
        "mlops_ingestion_event_time_lag_seconds", "Ingestion time minus event time, for validated events.",
        new HistogramConfiguration
        {
            LabelNames = ["event_type"],
            Buckets = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600],
        });

    public static readonly Counter InFlight = Metrics.CreateCounter(
        "mlops_ingestion_in_flight_total", "Event ids found pending under another input's claim; their batch or request is refused and comes again.",
        "source");

    public static readonly Counter ConfirmFailures = Metrics.CreateCounter(
        "mlops_ingestion_claim_confirm_failures_total", "Published events whose claim could not be confirmed in Redis (it expires by itself).");

    public static readonly Counter QualityFailures = Metrics.CreateCounter(
        "mlops_ingestion_quality_failures_total", "Batches whose data-quality observation failed after their outputs were durable (logged, not retried).");

    // Label children per contract, so counting an event does not look its ~16 label sets up (and lower-case its
    // outcome) every time. Keyed by the contract instance: a hot-reloaded spec brings new instances, and the old
    // entries go with them.
    private static readonly ConditionalWeakTable<DataContract, ContractChildren> Children = new();

    public static void Observe(IncomingEvent input, PlatformSpec spec, Outcome outcome, IReadOnlyList<RuleViolation> reasons, DateTime now)
    {
        var contract = spec.Contracts.GetValueOrDefault(input.Envelope?.event_type ?? "");
        if (contract is null)
        {
            Events.WithLabels(input.Source.Kind, Unknown, OutcomeLabel(outcome)).Inc();
            CountReasons(Unknown, reasons);
            return;
        }
        var children = Children.GetValue(contract, c => new ContractChildren(c));
        children.Events(input.Source.Kind, outcome).Inc();
        CountReasons(contract.EventType, reasons);
        if (outcome == Outcome.Duplicate)
        {
            return;
        }
        foreach (var (attribute, isChecked, present) in children.Attributes)
        {
            isChecked.Inc();
            if (input.Envelope!.attributes?.TryGetValue(attribute, out var value) == true && value is not null)
            {
                present.Inc();
            }
        }
        foreach (var reason in reasons)
        {
            if (reason.Attribute is null || !contract.Attributes.ContainsKey(reason.Attribute))
            {
                continue;
            }
            if (reason.Rule is RuleCodes.Min or RuleCodes.Max)
            {
                OutOfBounds.WithLabels(contract.EventType, reason.Attribute).Inc();
            }
            else if (reason.Rule == RuleCodes.AllowedValues)
            {
                UnseenCategories.WithLabels(contract.EventType, reason.Attribute).Inc();
            }
        }
        if (outcome == Outcome.Validated)
        {
            var lag = now - DateTime.SpecifyKind(input.Envelope!.event_time, DateTimeKind.Utc);
            children.Lag.Observe(Math.Max(0, lag.TotalSeconds));
        }
    }

    private static void CountReasons(string eventType, IReadOnlyList<RuleViolation> reasons)
    {
        if (reasons.Count == 0)
        {
            return;
        }
        foreach (var rule in reasons.Select(r => r.Rule).Distinct())
        {
            Quarantined.WithLabels(eventType, rule).Inc();
        }
    }

    private static string OutcomeLabel(Outcome outcome) => outcome switch
    {
        Outcome.Validated => "validated",
        Outcome.Quarantined => "quarantined",
        Outcome.Duplicate => "duplicate",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    private sealed class ContractChildren(DataContract contract)
    {
        private readonly ConcurrentDictionary<(string Source, Outcome Outcome), Counter.Child> _events = new();

        public (string Name, Counter.Child Checked, Counter.Child Present)[] Attributes { get; } = contract.Attributes.Keys
            .Select(a => (a, AttributeChecked.WithLabels(contract.EventType, a), AttributePresent.WithLabels(contract.EventType, a)))
            .ToArray();

        public Histogram.Child Lag { get; } = EventTimeLag.WithLabels(contract.EventType);

        public Counter.Child Events(string source, Outcome outcome) =>
            _events.GetOrAdd((source, outcome), key => IngestionMetrics.Events.WithLabels(key.Source, contract.EventType, OutcomeLabel(key.Outcome)));
    }
}
