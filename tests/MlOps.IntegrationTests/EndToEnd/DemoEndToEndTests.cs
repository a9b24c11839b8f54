using System.Text.Json;
using Confluent.SchemaRegistry;
using MlOps.Common.Kafka;
using MlOps.Common.Stats;
using MlOps.Contracts;
using MlOps.Contracts.Codegen;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Stack;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.EndToEnd;

/// <summary>
/// The main job end to end: `mlops demo` on a slice of flights-20k.json, in its own process with its own stack and
/// services, then the topics it left (--keep) checked against its report.
/// </summary>
[Collection(CliStackCollection.Name)]
public sealed class DemoEndToEndTests(ITestOutputHelper output)
{
    private const int Departures = 400;
    private static readonly TimeSpan DemoTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Demo_scores_every_departure_once_per_arm_and_its_labels_arrive_after_the_predictions()
    {
        var data = FlightsData.Require();
        using var cli = new MlopsCli();

        try
        {
            var (code, text) = await cli.RunAsync(DemoTimeout, "demo", "--data", data, "--limit", $"{Departures}", "--keep");
            output.WriteLine(text);
            Assert.True(code == 0, $"demo exited {code}");
            Assert.Contains("== demo report ==", text, StringComparison.Ordinal);
            var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(cli.Home, "demo-report.json"))).RootElement;
            await AssertTopicsMatchTheReportAsync(StackEndpoints.FromEnvFile(Path.Combine(cli.Home, "stack.env")), report);

            // The loop closes: a model trained from the features the champion was served, joined with the labels.
            var model = Path.Combine(cli.Home, "from-log");
            var (trainCode, trained) = await cli.RunAsync(DemoTimeout, "train", "--from-log", "--version", "9", "--out", model);
            output.WriteLine(trained);
            Assert.True(trainCode == 0, $"train --from-log exited {trainCode}");
            Assert.Contains($"joined with mlops.labels on event_id, {Departures} rows", trained, StringComparison.Ordinal);
            var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(model, "flight-delay-9.model.json"))).RootElement;
            Assert.Equal(Departures, manifest.GetProperty("metrics").GetProperty("train_rows").GetInt32() + manifest.GetProperty("metrics").GetProperty("holdout_rows").GetInt32());
            Assert.InRange(manifest.GetProperty("metrics").GetProperty("onnx_parity_max_abs_diff").GetDouble(), 0, 1e-5);
        }
        finally
        {
            var (downCode, downText) = await cli.RunAsync(TimeSpan.FromSeconds(60), "down");
            output.WriteLine(downText);
            Assert.Equal(0, downCode);
        }
    }

    private static async Task AssertTopicsMatchTheReportAsync(StackEndpoints stack, JsonElement report)
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        var raw = await ReadAsync<EventEnvelope>(stack, registry, TopicCatalog.EventsRaw);
        var validated = await ReadAsync<EventEnvelope>(stack, registry, TopicCatalog.EventsValidated);
        var quarantined = await ReadAsync<QuarantinedEvent>(stack, registry, TopicCatalog.EventsQuarantine);
        var predictions = await ReadAsync<Prediction>(stack, registry, TopicCatalog.Predictions);
        var labels = await ReadAsync<Label>(stack, registry, TopicCatalog.Labels);

        // Events in: the slice's departures and their arrivals, each validated or quarantined.
        Assert.Equal(Departures, raw.Count(e => e.event_type == "flight_departure"));
        Assert.Equal(Departures, raw.Count(e => e.event_type == "flight_arrival"));
        Assert.Equal(raw.Count, validated.Count + quarantined.Count);
        Assert.Empty(quarantined); // the replay writes what the example's contracts accept
        Assert.Equal((raw.Count, validated.Count, quarantined.Count),
            (report.GetProperty("events_in").GetInt32(), report.GetProperty("validated").GetInt32(), report.GetProperty("quarantined").GetInt32()));

        // Every validated departure scored exactly once by each arm, by that arm's model; nothing else scored.
        var departures = validated.Where(e => e.event_type == "flight_departure").Select(e => e.event_id).ToHashSet();
        Assert.NotEmpty(departures);
        var byArm = predictions.GroupBy(p => p.arm).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(["champion", "shadow"], byArm.Keys.Order());
        foreach (var (arm, model, shadow) in new[] { ("champion", "flight-delay:1", false), ("shadow", "flight-delay:2", true) })
        {
            var scored = byArm[arm];
            Assert.Equal(departures.Order(), scored.Select(p => p.event_id!).Order());   // once each: no duplicate, none missing
            // Served by the arm's model, or (a run past the deployment's timeout on a busy machine) by the fallback, saying why.
            Assert.All(scored, p => Assert.True(
                p.is_shadow == shadow && (p.served_by == "arm" ? $"{p.model_name}:{p.model_version}" == model : p.served_by.StartsWith("fallback:", StringComparison.Ordinal) && p.fallback_reason is { Length: > 0 }),
                $"{p.prediction_id}: arm {arm}, shadow {p.is_shadow}, served_by {p.served_by}, model {p.model_name}:{p.model_version}, reason {p.fallback_reason}"));
            Assert.All(scored, p => Assert.InRange(p.scores["probability"], 0.0, 1.0));
            var fromReport = report.GetProperty("arms").EnumerateArray().Single(a => a.GetProperty("arm").GetString() == arm);
            Assert.Equal(scored.Count, fromReport.GetProperty("predictions").GetInt32());
            Assert.Equal(0, fromReport.GetProperty("duplicates").GetInt32());
            Assert.Equal(scored.Count(p => p.served_by != "arm"), fromReport.GetProperty("fallbacks").GetInt32());
            var auc = BinaryAuc.Compute(scored.Select(p => (p.scores["probability"], labels.Single(l => l.join_key == p.event_id).value > 0.5)));
            Assert.Equal(auc!.Value, fromReport.GetProperty("auc").GetDouble(), 9);
        }

        // One label per departure, known hours of event time after the prediction it judges.
        Assert.Equal(Departures, labels.Count);
        var predictedAt = byArm["champion"].ToDictionary(p => p.event_id!, p => p.event_time);
        Assert.All(labels, l => Assert.True(l.observed_at - predictedAt[l.join_key] >= TimeSpan.FromMinutes(50),
            $"{l.label_id} observed at {l.observed_at:O}, its departure scored at {predictedAt[l.join_key]:O}"));
        Assert.Equal(labels.Count, report.GetProperty("labels").GetInt32());
        Assert.Equal(0, report.GetProperty("labels_not_after_prediction").GetInt32());
        Assert.Equal(labels.Average(l => l.value), report.GetProperty("label_positive_rate").GetDouble(), 9);
    }

    private static async Task<List<T>> ReadAsync<T>(StackEndpoints stack, ISchemaRegistryClient registry, string topic)
        where T : class
    {
        using var follower = new TopicFollower<T>(stack.KafkaBootstrap, registry, topic);
        return (await follower.CatchUpAsync(ReadTimeout)).Select(r => r.Value!).ToList();
    }
}
