using MlOps.Common.Spec;
using MlOps.Common.Validation;
using MlOps.Contracts;
using MlOps.Ingestion;
using MlOps.Ingestion.Pipeline;

namespace MlOps.UnitTests.Ingestion;

/// <summary>
/// The data-quality counters per outcome, attribute and rule. Metrics are process-wide, so each test uses an event
/// type of its own and compares before/after.
/// </summary>
public sealed class IngestionMetricsTests
{
    private static readonly DateTime Now = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private static PlatformSpec Spec(string eventType) => SpecLoader.Parse($$"""
        spec: metrics-test
        version: "1"
        contracts:
          {{eventType}}:
            version: "1"
            attributes:
              amount: { type: long, required: true, min: 0, max: 10 }
              colour: { type: string, required: true, allowed_values: [red, blue] }
              note:   { type: string, required: false }
        """, "metrics-test.yaml");

    private static IncomingEvent Event(string eventType, Dictionary<string, object> attributes) => IncomingEvent.Decoded(
        EventSource.Kafka("t", 0, 1), null, [],
        new EventEnvelope { event_id = Guid.NewGuid().ToString("N"), event_type = eventType, event_time = Now.AddSeconds(-30), attributes = attributes },
        null);

    private static double Count(string eventType, string outcome, string source = "kafka") =>
        IngestionMetrics.Events.WithLabels(source, eventType, outcome).Value;

    private static (double Checked, double Present) Attribute(string eventType, string attribute) =>
        (IngestionMetrics.AttributeChecked.WithLabels(eventType, attribute).Value, IngestionMetrics.AttributePresent.WithLabels(eventType, attribute).Value);

    [Fact]
    public void Validated_event_counts_its_outcome_every_contract_attribute_and_its_lag()
    {
        const string type = "metrics_validated";
        var spec = Spec(type);

        IngestionMetrics.Observe(Event(type, new() { ["amount"] = 5L, ["colour"] = "red" }), spec, Outcome.Validated, [], Now);
        IngestionMetrics.Observe(Event(type, new() { ["amount"] = 6L, ["colour"] = "blue", ["note"] = "x" }), spec, Outcome.Validated, [], Now);

        Assert.Equal(2, Count(type, "validated"));
        Assert.Equal((2, 2), Attribute(type, "amount"));
        Assert.Equal((2, 2), Attribute(type, "colour"));
        Assert.Equal((2, 1), Attribute(type, "note"));
        Assert.Equal(2, IngestionMetrics.EventTimeLag.WithLabels(type).Count);
        Assert.Equal(60, IngestionMetrics.EventTimeLag.WithLabels(type).Sum, precision: 6);
    }

    [Fact]
    public void Quarantined_event_counts_each_rule_once_and_bounds_and_categories_per_attribute()
    {
        const string type = "metrics_quarantined";
        var spec = Spec(type);
        RuleViolation[] reasons =
        [
            new(RuleCodes.Max, "amount", "too big", "99"),
            new(RuleCodes.AllowedValues, "colour", "not allowed", "green"),
            new(RuleCodes.AllowedValues, "colour", "not allowed again", "green"),
        ];

        IngestionMetrics.Observe(Event(type, new() { ["amount"] = 99L, ["colour"] = "green" }), spec, Outcome.Quarantined, reasons, Now);

        Assert.Equal(1, Count(type, "quarantined"));
        Assert.Equal(1, IngestionMetrics.Quarantined.WithLabels(type, RuleCodes.Max).Value);
        Assert.Equal(1, IngestionMetrics.Quarantined.WithLabels(type, RuleCodes.AllowedValues).Value);
        Assert.Equal(1, IngestionMetrics.OutOfBounds.WithLabels(type, "amount").Value);
        Assert.Equal(2, IngestionMetrics.UnseenCategories.WithLabels(type, "colour").Value);
        Assert.Equal((1, 1), Attribute(type, "amount"));
        Assert.Equal(0, IngestionMetrics.EventTimeLag.WithLabels(type).Count);
    }

    [Fact]
    public void Duplicate_counts_only_its_outcome_and_a_reloaded_spec_keeps_counting_on_the_same_series()
    {
        const string type = "metrics_duplicate";

        IngestionMetrics.Observe(Event(type, new() { ["amount"] = 1L, ["colour"] = "red" }), Spec(type), Outcome.Duplicate, [], Now);
        IngestionMetrics.Observe(Event(type, new() { ["amount"] = 1L, ["colour"] = "red" }), Spec(type), Outcome.Validated, [], Now);
        IngestionMetrics.Observe(Event(type, new() { ["amount"] = 2L, ["colour"] = "red" }), Spec(type), Outcome.Validated, [], Now);

        Assert.Equal(1, Count(type, "duplicate"));
        Assert.Equal(2, Count(type, "validated"));
        Assert.Equal((2, 2), Attribute(type, "amount"));
    }

    [Fact]
    public void Event_type_without_a_contract_is_counted_as_unknown()
    {
        var before = Count("unknown", "quarantined", source: "http");

        IngestionMetrics.Observe(
            IncomingEvent.Decoded(EventSource.Http("r-1"), null, [], new EventEnvelope { event_id = "e", event_type = "no_such_type" }, null),
            Spec("metrics_unknown"), Outcome.Quarantined, [new(RuleCodes.UnknownEventType, "event_type", "unknown event type", "no_such_type")], Now);

        Assert.Equal(before + 1, Count("unknown", "quarantined", source: "http"));
    }
}
