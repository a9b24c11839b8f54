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

    public static void Observe(IncomingEvent input, PlatformSpec spec, Outcome outcome, IReadOnlyList<RuleViolation> reasons, DateTime now)
    {
        var contract = spec.Contracts.GetValueOrDefault(input.Envelope?.event_type ?? "");
        var eventType = contract?.EventType ?? Unknown;
        Events.WithLabels(input.Source.Kind, eventType, outcome.ToString().ToLowerInvariant()).Inc();
        foreach (var rule in reasons.Select(r => r.Rule).Distinct())
        {
            Quarantined.WithLabels(eventType, rule).Inc();
        }
        if (contract is null || outcome == Outcome.Duplicate)
        {
            return;
        }
        foreach (var attribute in contract.Attributes.Keys)
        {
            AttributeChecked.WithLabels(eventType, attribute).Inc();
            if (input.Envelope!.attributes?.TryGetValue(attribute, out var value) == true && value is not null)
            {
                AttributePresent.WithLabels(eventType, attribute).Inc();
            }
        }
        foreach (var reason in reasons.Where(r => r.Attribute is not null && contract.Attributes.ContainsKey(r.Attribute)))
        {
            if (reason.Rule is RuleCodes.Min or RuleCodes.Max)
            {
                OutOfBounds.WithLabels(eventType, reason.Attribute!).Inc();
            }
            else if (reason.Rule == RuleCodes.AllowedValues)
            {
                UnseenCategories.WithLabels(eventType, reason.Attribute!).Inc();
            }
        }
        if (outcome == Outcome.Validated)
        {
            var lag = now - DateTime.SpecifyKind(input.Envelope!.event_time, DateTimeKind.Utc);
            EventTimeLag.WithLabels(eventType).Observe(Math.Max(0, lag.TotalSeconds));
        }
    }
}
