using MlOps.Contracts;

namespace MlOps.UnitTests.Contracts;

/// <summary>Small valid contract instances for tests.</summary>
internal static class ContractSamples
{
    private static readonly DateTime At = new(2026, 3, 1, 17, 5, 0, DateTimeKind.Utc);

    public static Prediction Prediction() => new()
    {
        prediction_id = "pred-1",
        tenant_id = "airline-a",
        entity_id = "AA100-2026-03-01",
        event_id = "evt-1",
        event_time = At,
        deployment = "delay-model",
        arm = "stable",
        model_name = "delay",
        model_version = "3",
        scores = new Dictionary<string, double> { ["p_delay"] = 0.42 },
        rule_versions = new Dictionary<string, string>(),
        served_features = new Dictionary<string, object> { ["dep_hour"] = 17L, ["tail_number"] = null! },
        feature_ages_ms = new Dictionary<string, long> { ["dep_hour"] = 0 },
        missing_features = ["origin_traffic.departures_1h"],
        feature_views = new Dictionary<string, string> { ["origin_traffic"] = "3" },
        model_sha256 = new string('a', 64),
        latency_ms = 1.5,
        latency_features_ms = 0.4,
        latency_model_ms = 0.9,
        spec_version = "flights@1",
        predicted_at = At,
        lineage = new Lineage { source_topic = TopicCatalog.EventsValidated, source_partition = 2, source_offset = 41 },
    };

    public static Label Label(string predictionId) => new()
    {
        label_id = "lbl-1",
        join_key = predictionId,
        join_key_kind = "prediction_id",
        tenant_id = "airline-a",
        label_name = "arrival_delayed",
        value = 1.0,
        observed_at = At.AddHours(3),
    };
}
