using Avro.IO;
using Avro.Specific;
using MlOps.Contracts;

namespace MlOps.UnitTests.Kafka;

/// <summary>
/// AvroPublisher encodes with Apache.Avro's pre-resolving SpecificDatumWriter (its writer tree built once per type);
/// Confluent's serializer, whose bytes readers expect, encodes with SpecificWriter. They must agree byte for byte.
/// </summary>
public sealed class PreresolvedWriterTests
{
    private static Prediction Full(int i) => new()
    {
        prediction_id = $"p-{i}", request_id = i % 2 == 0 ? null : $"r-{i}", event_id = $"e-{i}", tenant_id = "bts", entity_id = $"f/{i}",
        event_time = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i), deployment = "flight-delay",
        arm = "champion", is_shadow = i % 3 == 0, route_bucket = i * 7 % 10000, model_name = "flight-delay", model_version = "1",
        model_sha256 = "32b91e17", scores = new Dictionary<string, double> { ["probability"] = i / 100.0, ["model_probability"] = 0.5 },
        decision = "positive", rule_versions = new Dictionary<string, string> { ["delay-rules"] = "2" },
        rules_fired = ["delay-rules:2/clamp"], shadow_decision = null, shadow_rules_fired = [], fallback_reason = i % 5 == 0 ? "timeout: 51 ms" : null,
        served_by = "arm",
        served_features = new Dictionary<string, object>
        {
            ["event.distance"] = 1750.0, ["event.origin"] = "DTW", ["event.dep_hour"] = (long)i, ["event.flag"] = true, ["event.missing"] = null!,
        },
        feature_ages_ms = new Dictionary<string, long> { ["origin_traffic.departures_1h"] = 1200 },
        missing_features = ["origin_traffic.mean_distance_24h"], feature_views = new Dictionary<string, string> { ["origin_traffic"] = "1" },
        latency_ms = 1.25, latency_features_ms = 0.5, latency_model_ms = 0.25, spec_version = "flights@3",
        predicted_at = new DateTime(2026, 11, 29, 7, 0, 0, DateTimeKind.Utc),
        lineage = new Lineage { source_topic = "mlops.events.validated", source_partition = i % 6, source_offset = i },
    };

    [Fact]
    public void The_preresolved_writer_writes_the_bytes_confluents_writer_does()
    {
        var preresolved = new SpecificDatumWriter<Prediction>(Prediction._SCHEMA);
        var confluents = new SpecificWriter<Prediction>(Prediction._SCHEMA);
        for (var i = 0; i < 50; i++)
        {
            var prediction = Full(i);
            Assert.Equal(Encode(w => confluents.Write(prediction, w)), Encode(w => preresolved.Write(prediction, w)));
        }
    }

    private static byte[] Encode(Action<BinaryEncoder> write)
    {
        using var stream = new MemoryStream();
        write(new BinaryEncoder(stream));
        return stream.ToArray();
    }
}
