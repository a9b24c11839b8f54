using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MlOps.Common.Features;
using MlOps.Contracts;
using MlOps.Features;
using MlOps.Inference;
using MlOps.IntegrationTests.Features;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Models;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.Inference;

/// <summary>
/// The Inference service on the embedded stack with the real flight-delay model: departures feed the Features
/// service's Redis state, scored events log exactly the values Redis held at their event time, a broken artifact is
/// refused while the previous version keeps serving, and a hot swap under load loses no request.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class InferenceTests(StackFixture stack, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>HTTP answers at most before the hot swap serves (a swap on a quiet machine sees 1,000-2,000).</summary>
    private const int SwapLoadBudget = 20_000;

    /// <summary>Each client's pace once <see cref="SwapLoadBudget"/> is reached: load on the swap, ~80 answers/s at most.</summary>
    private static readonly TimeSpan PacedInterval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Predictions_log_the_feature_values_redis_held_at_each_event_time()
    {
        var scenario = InferenceScenario.Create();
        var history = await stack.CreateTopicAsync("inference-history", partitions: 4);
        var scored = await stack.CreateTopicAsync("inference-scored", partitions: 4);
        var predictions = await stack.CreateTopicAsync("inference-predictions", partitions: 4);
        var start = DateTime.UtcNow.AddHours(-3);

        // 1. Three hours of departures through the Features service into Redis.
        var departures = scenario.Departures("h", 360, seed: 1, start, TimeSpan.FromSeconds(30));
        var delivered = await FeatureScenario.ProduceAsync(stack, history, departures);
        await using (await FeatureScenario.StartServiceAsync(stack.Endpoints, scenario.FeaturesSettings(history)))
        {
            await FeatureScenario.WaitForFencesAsync(stack.Endpoints.RedisUrl, history, delivered, Timeout);
        }

        // 2. The model registered and deployed for this run's event type.
        var model = await scenario.RegisterAsync(stack, "1");
        await using var inference = await InferenceScenario.StartInferenceAsync(stack.Endpoints, scenario.InferenceSettings(scored, predictions));
        await scenario.DeployAsync(stack, model, revision: 1);
        await scenario.WaitForServingAsync(inference, OnnxModel.KeyOf(model), Timeout);

        // 3. Departures to score, spread over the history, some from an airport the store has never seen.
        var requests = scenario.Departures("s", 80, seed: 2, start.AddMinutes(20), TimeSpan.FromMinutes(2), ["JFK", "LAX", "ORD", "ATL", "ZZZ"]);
        var sent = await FeatureScenario.ProduceAsync(stack, scored, requests);
        var logged = await InferenceScenario.ReadPredictionsAsync(stack, predictions, requests.Count, Timeout);

        Assert.Equal(requests.Select(r => r.event_id).Order(), logged.Select(l => l.Prediction.event_id).Order());
        await using var redis = await stack.ConnectRedisAsync();
        var reader = new FeatureStoreReader(redis);
        var byEvent = requests.ToDictionary(r => r.event_id);
        var offsets = sent.ToDictionary(d => d.Envelope.event_id, d => (d.Partition, d.Offset));
        var withMissing = 0;
        foreach (var (prediction, headers) in logged)
        {
            var request = byEvent[prediction.event_id];
            var expected = await ExpectedServedAsync(scenario, model, request, reader);
            Assert.Equal(expected.Served, prediction.served_features.ToDictionary(e => e.Key, e => e.Value is null ? null : (object)Convert.ToDouble(e.Value)));
            Assert.Equal(expected.Missing, prediction.missing_features.Order(StringComparer.Ordinal));
            withMissing += prediction.missing_features.Count > 0 ? 1 : 0;

            Assert.Equal((model.model_name, model.version, model.artifact_sha256), (prediction.model_name, prediction.model_version, prediction.model_sha256));
            Assert.Equal((scenario.DeploymentName, "stable", false), (prediction.deployment, prediction.arm, prediction.is_shadow));
            var probability = prediction.scores[MlOps.Inference.Serving.Scorer.ProbabilityScore];
            Assert.InRange(probability, 0.0, 1.0);
            Assert.Equal(probability >= 0.5 ? "positive" : "negative", prediction.decision);
            Assert.Equal(request.event_time, prediction.event_time);
            Assert.Equal((scored, offsets[prediction.event_id].Partition, offsets[prediction.event_id].Offset),
                (prediction.lineage.source_topic, prediction.lineage.source_partition ?? -1, prediction.lineage.source_offset ?? -1));
            Assert.True(prediction.latency_ms >= prediction.latency_model_ms && prediction.latency_ms >= prediction.latency_features_ms,
                $"total {prediction.latency_ms} ms covers features {prediction.latency_features_ms} ms and model {prediction.latency_model_ms} ms");
            Assert.Equal("1", prediction.feature_views[scenario.View("origin_traffic")]);
            Assert.Equal($"{model.model_name}:{model.version}", Encoding.UTF8.GetString(headers.GetLastBytes(MlOps.Common.Kafka.LineageHeaders.ModelVersion)));
        }
        output.WriteLine($"{logged.Count} predictions checked against Redis; {withMissing} had missing features (airport ZZZ)");
        Assert.Equal(requests.Count(r => (string)r.attributes["origin"] == "ZZZ"), withMissing);
        // The model responds to its inputs: the scores are not one constant.
        Assert.True(logged.Select(l => l.Prediction.scores["probability"]).Distinct().Count() > 10, "distinct probabilities");
    }

    [Fact]
    public async Task A_corrupt_or_truncated_artifact_or_a_malformed_artifact_uri_is_refused_and_the_previous_version_keeps_serving()
    {
        var scenario = InferenceScenario.Create();
        var scored = await stack.CreateTopicAsync("inference-refuse", partitions: 2);
        var predictions = await stack.CreateTopicAsync("inference-refuse-predictions", partitions: 2);
        var good = await scenario.RegisterAsync(stack, "1");
        await using var inference = await InferenceScenario.StartInferenceAsync(stack.Endpoints, scenario.InferenceSettings(scored, predictions));
        await scenario.DeployAsync(stack, good, revision: 1);
        await scenario.WaitForServingAsync(inference, OnnxModel.KeyOf(good), Timeout);

        // v2: the artifact cut in half, its hash taken of the cut bytes (so only ONNX Runtime can tell).
        // v3: the good artifact registered with another artifact's hash.
        // v4, v5: an artifact_uri that is no usable path (a port out of range, a NUL): these used to throw out of the
        // registry watcher and stop the service; each later version being handled shows the watcher lives on.
        var goodPath = Path.Combine(scenario.ModelsDirectory, good.artifact_uri);
        var truncated = File.ReadAllBytes(goodPath)[..(int)(new FileInfo(goodPath).Length / 2)];
        var truncatedUri = $"{good.model_name}/2/truncated.onnx";
        Directory.CreateDirectory(Path.Combine(scenario.ModelsDirectory, good.model_name, "2"));
        File.WriteAllBytes(Path.Combine(scenario.ModelsDirectory, truncatedUri), truncated);
        var refusedBefore = Refusals();
        foreach (var (version, uri, sha) in new[]
                 {
                     ("2", truncatedUri, Convert.ToHexStringLower(SHA256.HashData(truncated))),
                     ("3", good.artifact_uri, new string('f', 64)),
                     ("4", "file://host:99999/x.onnx", good.artifact_sha256),
                     ("5", "bad\0name.onnx", good.artifact_sha256),
                 })
        {
            var broken = Copy(good);
            (broken.version, broken.artifact_uri, broken.artifact_sha256) = (version, uri, sha);
            await scenario.PublishVersionAsync(stack, broken);
            await scenario.DeployAsync(stack, broken, revision: long.Parse(version, System.Globalization.CultureInfo.InvariantCulture));

            // The refusal is visible in /v1/models with its reason, and v1 still serves every request.
            var refused = await Eventually.MatchAsync(
                async ct => (await inference.Client.GetFromJsonAsync<JsonDocument>("/v1/models", ct))!.RootElement.GetProperty("refused"),
                r => r.TryGetProperty($"{good.model_name}:{version}", out _), Timeout, $"{good.model_name}:{version} refused");
            output.WriteLine($"v{version}: {refused.GetProperty($"{good.model_name}:{version}").GetString()}");
            var answer = await InferenceScenario.PredictAsync(inference.Client, scenario.Departures($"p{version}", 3, seed: 5, DateTime.UtcNow.AddMinutes(-1), TimeSpan.FromSeconds(1)));
            Assert.All(answer, p => Assert.Equal(OnnxModel.KeyOf(good), p.GetProperty("model").GetString()));
        }
        Assert.Contains("invalid_onnx", await RefusalOf(inference, $"{good.model_name}:2"));
        Assert.Contains("sha256", await RefusalOf(inference, $"{good.model_name}:3"));
        Assert.StartsWith("artifact_uri_invalid: ", await RefusalOf(inference, $"{good.model_name}:4"));
        Assert.StartsWith("artifact_uri_invalid: ", await RefusalOf(inference, $"{good.model_name}:5"));
        Assert.Equal(4, Refusals() - refusedBefore);
    }

    [Fact]
    public async Task A_hot_swap_under_load_loses_no_request_and_scores_every_event_once()
    {
        var scenario = InferenceScenario.Create();
        var scored = await stack.CreateTopicAsync("inference-swap", partitions: 4);
        var predictions = await stack.CreateTopicAsync("inference-swap-predictions", partitions: 4);
        var v1 = await scenario.RegisterAsync(stack, "1");
        var v2 = await scenario.RegisterAsync(stack, "2");
        await using var inference = await InferenceScenario.StartInferenceAsync(stack.Endpoints, scenario.InferenceSettings(scored, predictions, batchSize: 16));
        await scenario.DeployAsync(stack, v1, revision: 1);
        await scenario.WaitForServingAsync(inference, OnnxModel.KeyOf(v1), Timeout);

        // Load on both ways in: 4 HTTP clients in a loop, and a stream of events, while the deployment moves to v2.
        // Past SwapLoadBudget answers the clients slow to a request each per PacedInterval until v2 serves: every answer
        // is read back from the topic below, and a swap that takes long on a busy machine must not grow that read
        // without bound, nor happen without load.
        var clock = Stopwatch.StartNew();
        var phases = new List<string>();
        using var stop = new CancellationTokenSource();
        var swapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answers = new ConcurrentQueue<string>();
        var failures = new ConcurrentBag<string>();
        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                if (answers.Count >= SwapLoadBudget && !swapped.Task.IsCompleted)
                {
                    await Task.WhenAny(swapped.Task, Task.Delay(PacedInterval, stop.Token)); // never throws: it only waits
                }
                try
                {
                    var results = await InferenceScenario.PredictAsync(inference.Client, scenario.Departures($"c{c}-{i}", 2, seed: i, DateTime.UtcNow.AddMinutes(-1), TimeSpan.FromSeconds(1)));
                    foreach (var r in results)
                    {
                        answers.Enqueue(r.GetProperty("model").GetString() ?? r.GetProperty("error").GetString()!);
                    }
                }
                catch (Exception ex)
                {
                    failures.Add(ex.Message);
                }
            }
        })).ToArray();
        var stream = scenario.Departures("k", 600, seed: 7, DateTime.UtcNow.AddMinutes(-30), TimeSpan.FromSeconds(2));
        var produce = FeatureScenario.ProduceAsync(stack, scored, stream);
        void Phase(string name) => phases.Add($"{name} at {clock.Elapsed.TotalSeconds:F1} s, {answers.Count} answers");

        try
        {
            await Eventually.MatchAsync(_ => Task.FromResult(answers.Count), n => n >= 20, Timeout, "20 answers from v1");
            Phase("v2 deploying");
            await scenario.DeployAsync(stack, v2, revision: 2);
            Phase("v2 published"); // registering its schema and producing it, apart from Inference applying it
            await scenario.WaitForServingAsync(inference, OnnxModel.KeyOf(v2), Timeout);
            Phase("v2 serving");
            swapped.SetResult();
            var atSwap = answers.Count;
            await Eventually.MatchAsync(_ => Task.FromResult(answers.Count - atSwap), n => n >= 20, Timeout, "20 answers after the swap");
            await stop.CancelAsync();
            await Task.WhenAll(clients);
            await produce;
            Phase("load stopped");

            var logged = await InferenceScenario.ReadPredictionsAsync(stack, predictions, stream.Count + answers.Count, Timeout);
            Phase($"{logged.Count} predictions read");
            var streamed = logged.Where(l => l.Prediction.lineage.source_topic == scored).ToList();
            output.WriteLine($"HTTP answers {answers.Count} ({answers.Count(a => a == OnnxModel.KeyOf(v1))} v1, {answers.Count(a => a == OnnxModel.KeyOf(v2))} v2); " +
                             $"streamed predictions {streamed.Count} ({streamed.Count(l => l.Prediction.model_version == "1")} v1, {streamed.Count(l => l.Prediction.model_version == "2")} v2)");
            Assert.Empty(failures);
            Assert.All(answers, a => Assert.True(a == OnnxModel.KeyOf(v1) || a == OnnxModel.KeyOf(v2), $"unexpected answer '{a}'"));
            Assert.Contains(OnnxModel.KeyOf(v1), answers);
            Assert.Contains(OnnxModel.KeyOf(v2), answers);
            Assert.Equal(stream.Select(e => e.event_id).Order(), streamed.Select(l => l.Prediction.event_id).Order());
            Assert.Equal(answers.Count, logged.Count - streamed.Count);
        }
        finally
        {
            await stop.CancelAsync();
            output.WriteLine(string.Join(Environment.NewLine, phases));
            var warnings = inference.Logs.Lines;
            output.WriteLine($"Inference's recent warnings ({warnings.Count}):");
            output.WriteLine(string.Join(Environment.NewLine, warnings));
        }
    }

    /// <summary>What the model should have been served for a request: each input as the store held it at the event time.</summary>
    private static async Task<(Dictionary<string, object?> Served, List<string> Missing)> ExpectedServedAsync(
        InferenceScenario scenario, ModelVersion model, EventEnvelope request, FeatureStoreReader reader)
    {
        var attributes = request.attributes.ToDictionary(a => a.Key, a => (object?)a.Value);
        var served = new Dictionary<string, object?>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var input in model.inputs)
        {
            FeatureName.TryParse(input.feature, out var name);
            object? value;
            if (name.IsEventAttribute)
            {
                value = attributes.GetValueOrDefault(name.Name);
            }
            else
            {
                var view = scenario.Spec.FeatureViews[name.View!];
                var vector = (await reader.ReadAsync([new FeatureRequest(view, EntityKey.Of(view, attributes)!, request.event_time)], DateTime.UtcNow))[0];
                value = vector.Status == FeatureStatus.Fresh ? vector.Values.GetValueOrDefault(name.Name) : null;
            }
            if (value is null)
            {
                missing.Add(input.feature);
                value = input.default_value;
            }
            served[input.feature] = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        return (served, missing.Order(StringComparer.Ordinal).ToList());
    }

    private static async Task<string> RefusalOf(MlOps.Stack.InProcessService service, string model)
    {
        using var models = await service.Client.GetFromJsonAsync<JsonDocument>("/v1/models");
        return models!.RootElement.GetProperty("refused").GetProperty(model).GetString()!;
    }

    private static double Refusals() =>
        InferenceMetrics.ModelLoads.GetAllLabelValues()
            .Where(l => l[0] == "refused" && l[1] is ModelLoadException.InvalidOnnx or ModelLoadException.HashMismatch or ModelLoadException.ArtifactUriInvalid)
            .Sum(l => InferenceMetrics.ModelLoads.WithLabels(l).Value);

    private static ModelVersion Copy(ModelVersion version) => new()
    {
        model_name = version.model_name,
        version = version.version,
        format = version.format,
        artifact_uri = version.artifact_uri,
        artifact_sha256 = version.artifact_sha256,
        inputs = version.inputs,
        outputs = version.outputs,
        probability_output = version.probability_output,
        label_output = version.label_output,
        training_metrics = version.training_metrics,
        training_data = version.training_data,
        created_by = version.created_by,
        created_at = version.created_at,
    };
}
