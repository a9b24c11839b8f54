using MlOps.Contracts;
using MlOps.Training;

namespace MlOps.UnitTests.Training;

public sealed class LoggedTrainingSetTests
{
    private static readonly DateTime T0 = new(2001, 1, 1, 8, 0, 0, DateTimeKind.Utc);

    private static Prediction Logged(string eventId, string arm, int minutes, double distance = 500, bool complete = true)
    {
        var served = new Dictionary<string, object>
        {
            ["event.distance"] = distance, ["event.dep_hour"] = 8.0, ["event.day_of_week"] = 1.0, ["event.month"] = 1.0,
            ["origin_traffic.departures_1h"] = 2.0, ["origin_traffic.departures_24h"] = 20L, ["origin_traffic.mean_distance_24h"] = 700.0,
        };
        if (!complete) served.Remove("origin_traffic.departures_1h");
        return new Prediction
        {
            prediction_id = $"{eventId}:{arm}", event_id = eventId, tenant_id = "bts", entity_id = eventId, event_time = T0.AddMinutes(minutes),
            deployment = "flight-delay", arm = arm, model_name = "flight-delay", model_version = "1",
            scores = new Dictionary<string, double> { ["probability"] = 0.2 }, served_features = served,
            spec_version = "flights@3", predicted_at = T0, lineage = new Lineage(),
        };
    }

    private static Label Truth(string eventId, bool delayed, string kind = "event_id") => new()
    {
        label_id = eventId + "/label", join_key = eventId, join_key_kind = kind, tenant_id = "bts",
        label_name = "arrival_delayed", value = delayed ? 1 : 0, observed_at = T0.AddHours(3),
    };

    [Fact]
    public void Each_labeled_prediction_of_the_arm_becomes_a_row_of_the_features_it_was_served_in_event_time_order()
    {
        var set = LoggedTrainingSet.Join(
            [Logged("b", "champion", 10, distance: 900), Logged("a", "champion", 5), Logged("a", "shadow", 5), Logged("a", "champion", 5)],
            [Truth("a", delayed: true), Truth("b", delayed: false)],
            "champion");

        Assert.Equal([("a", true), ("b", false)], set.Rows.Select(r => (r.EventTime == T0.AddMinutes(5) ? "a" : "b", r.Row.Label)));
        Assert.Equal([500f, 8f, 1f, 1f, 2f, 20f, 700f], set.Rows[0].Row.Values());
        Assert.Equal(900f, set.Rows[1].Row.Distance);
        Assert.Empty(set.Dropped);
    }

    [Fact]
    public void Predictions_without_a_label_or_the_models_features_are_counted_not_used()
    {
        var set = LoggedTrainingSet.Join(
            [Logged("a", "champion", 1), Logged("b", "champion", 2, complete: false), Logged("c", "champion", 3), Logged("d", "champion", 4)],
            [Truth("b", true), Truth("c", true, kind: "prediction_id"), Truth("d", false)],
            "champion");

        Assert.Single(set.Rows);
        Assert.Equal(new Dictionary<string, int> { ["no label yet"] = 2, ["served features are not the model's"] = 1 }, set.Dropped);
        Assert.Contains("1 rows, event time 2001-01-01 08:04 .. 2001-01-01 08:04; dropped 2 no label yet, 1 served features are not the model's", set.Describe("champion"));
    }

    [Fact]
    public void A_row_needs_a_value_for_every_feature()
    {
        Assert.Throws<ArgumentException>(() => FlightTrainingRow.Of([1f, 2f], label: true));
    }
}
