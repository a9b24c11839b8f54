using MlOps.Cli.Demo;
using MlOps.Contracts;

namespace MlOps.UnitTests.Demo;

public sealed class DemoTallyTests
{
    private static readonly DateTime T0 = new(2001, 1, 1, 8, 0, 0, DateTimeKind.Utc);
    private readonly DemoTally _tally = new("flight_departure", ["champion", "shadow"]);

    private static EventEnvelope Event(string id, string type, int minutes = 0) => new()
    {
        event_id = id, tenant_id = "bts", entity_id = id, event_type = type, event_time = T0.AddMinutes(minutes),
        producer = new ProducerMetadata { producer_id = "test" },
    };

    private static Prediction Scored(string eventId, string arm, double probability, double latencyMs = 2, string servedBy = "arm") => new()
    {
        prediction_id = $"{eventId}:{arm}", event_id = eventId, tenant_id = "bts", entity_id = eventId, event_time = T0,
        deployment = "flight-delay", arm = arm, is_shadow = arm == "shadow", model_name = "flight-delay",
        model_version = arm == "shadow" ? "2" : "1", scores = new Dictionary<string, double> { ["probability"] = probability },
        latency_ms = latencyMs, served_by = servedBy, spec_version = "flights@3", predicted_at = T0, lineage = new Lineage(),
    };

    private static Label Label(string eventId, bool delayed, int hoursAfter = 3) => new()
    {
        label_id = eventId + "/label", join_key = eventId, join_key_kind = "event_id", tenant_id = "bts",
        label_name = "arrival_delayed", value = delayed ? 1 : 0, observed_at = T0.AddHours(hoursAfter),
    };

    private void Departures(params string[] ids)
    {
        foreach (var id in ids)
        {
            _tally.OnRaw(Event(id, "flight_departure"));
            _tally.OnValidated(Event(id, "flight_departure"));
        }
    }

    [Fact]
    public void Drained_only_once_every_departure_is_scored_by_every_arm_and_every_raw_event_is_accounted_for()
    {
        Departures("a", "b");
        _tally.OnPrediction(Scored("a", "champion", 0.2));
        _tally.OnPrediction(Scored("b", "champion", 0.3));
        _tally.OnPrediction(Scored("a", "shadow", 0.4));
        Assert.False(_tally.Drained);
        Assert.Equal("arm shadow: 1 of 2 departures unscored", _tally.Missing());

        _tally.OnPrediction(Scored("b", "shadow", 0.4));
        Assert.True(_tally.Drained);

        _tally.OnRaw(Event("c", "flight_arrival"));
        Assert.False(_tally.Drained);
        Assert.Equal("1 raw events neither validated nor quarantined", _tally.Missing());

        _tally.OnQuarantined(new QuarantinedEvent { reasons = [new Violation { rule = "range", message = "arr_delay too large" }] });
        Assert.True(_tally.Drained);
        Assert.Equal(new Dictionary<string, int> { ["range"] = 1 }, _tally.Summarize().QuarantinedByReason);
    }

    [Fact]
    public void Arms_count_predictions_redeliveries_unscored_rows_fallbacks_and_latency_percentiles()
    {
        Departures("a", "b", "c");
        _tally.OnPrediction(Scored("a", "champion", 0.2, latencyMs: 1));
        _tally.OnPrediction(Scored("a", "champion", 0.2, latencyMs: 1));                  // redelivered
        _tally.OnPrediction(Scored("b", "champion", 0.4, latencyMs: 3, servedBy: "fallback:constant"));
        var unscored = Scored("c", "champion", 0.6, latencyMs: 100);
        unscored.scores.Clear();
        _tally.OnPrediction(unscored);

        var arm = Assert.Single(_tally.Summarize().Arms);

        Assert.Equal(("champion", "flight-delay:1", false), (arm.Arm, arm.Models, arm.Shadow));
        Assert.Equal((4, 2, 1, 1, 1), (arm.Predictions, arm.Departures, arm.Duplicates, arm.Unscored, arm.Fallbacks));
        Assert.Equal(0.3, arm.MeanProbability, 12);
        Assert.Equal((1.0, 100.0, 100.0), (arm.LatencyP50Ms, arm.LatencyP95Ms, arm.LatencyP99Ms));
    }

    [Fact]
    public void Labels_join_the_predictions_they_judge_giving_each_arm_an_auc_and_the_delay_after_scoring()
    {
        Departures("a", "b", "c", "d");
        foreach (var (id, champion, shadow) in new[] { ("a", 0.9, 0.1), ("b", 0.8, 0.9), ("c", 0.2, 0.7), ("d", 0.1, 0.2) })
        {
            _tally.OnPrediction(Scored(id, "champion", champion));
            _tally.OnPrediction(Scored(id, "shadow", shadow));
        }
        _tally.OnLabel(Label("a", delayed: true));
        _tally.OnLabel(Label("b", delayed: true));
        _tally.OnLabel(Label("c", delayed: false));
        _tally.OnLabel(Label("d", delayed: false, hoursAfter: 0));   // known no later than the departure: counted once
        _tally.OnLabel(Label("unknown", delayed: true));             // no such departure: joins nothing

        var summary = _tally.Summarize();

        Assert.Equal(["champion", "shadow"], summary.Arms.Select(a => a.Arm));
        Assert.Equal(1.0, summary.Arms[0].Auc);
        Assert.Equal(0.5, summary.Arms[1].Auc);    // positives 0.1, 0.9 against negatives 0.7, 0.2: 2 of 4 pairs
        Assert.Equal((4, 4), (summary.Arms[0].Labeled, summary.Arms[1].Labeled));
        Assert.Equal((5, 0.6, 1), (summary.Labels, summary.LabelPositiveRate, summary.LabelsNotAfterPrediction));
        Assert.Equal(2.25, summary.MeanLabelDelayHours, 12);
    }
}
