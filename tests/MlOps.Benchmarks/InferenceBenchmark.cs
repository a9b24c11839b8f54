using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Common.Features;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Features;
using MlOps.Features.Store;
using MlOps.Inference;
using MlOps.Inference.Serving;
using MlOps.Models;
using MlOps.Stack;
using StackExchange.Redis;
using MlOps.Common.Redis;

namespace MlOps.Benchmarks;

/// <summary>
/// The Inference service with the checked-in flight-delay model on the embedded stack, each number next to the bare
/// parts it is made of, in one run: (a) <c>POST /v1/predict</c> latency for one instance against a bare pipelined
/// HGETALL of the model's views plus a bare one-row ONNX run; (b) streaming predictions/s over a backlog against the
/// same model's batched ONNX throughput alone.
/// </summary>
internal static class InferenceBenchmark
{
    private const string HistoryTopic = "bench.inference.history";
    private const string IdleTopic = "bench.inference.idle";
    private const string StreamTopic = "bench.inference.validated";
    private const string PredictionsTopic = "bench.inference.predictions";
    private const string PassThroughTopic = "bench.inference.passthrough";
    private const int Partitions = 6;

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = Args.Int(args, "--requests", 3_000);
        var events = Args.Int(args, "--events", 30_000);
        var batchSize = Args.Int(args, "--batch", 256);
        Console.WriteLine($"inference benchmark: {requests} requests per latency case, {events} streamed events in batches of up to {batchSize}; " +
                          $"{Environment.ProcessorCount} cores; {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC");
        await using var stack = await EmbeddedStack.StartAsync(new EmbeddedStackOptions(), CancellationToken.None);
        foreach (var topic in new[] { HistoryTopic, IdleTopic, StreamTopic, PredictionsTopic, PassThroughTopic })
        {
            stack.Kafka.CreateTopic(topic, Partitions);
        }
        var root = Repository.Root();
        var specPath = Path.Combine(root, "infra", "examples", "flights", "spec.yaml");
        var spec = SpecLoader.Load(specPath);
        var modelsDirectory = Directory.CreateTempSubdirectory("mlops-bench-models-").FullName;

        // Two hours of departures at 8 airports through the Features service: the values the model reads are real.
        var history = Departures("h", 4_000, DateTime.UtcNow.AddHours(-2), TimeSpan.FromSeconds(1.5));
        var delivered = await ProduceAsync(stack.Endpoints, HistoryTopic, history);
        await using (var features = await InProcessService.StartAsync(stack.Endpoints, b => b.BuildFeaturesApp(), new Dictionary<string, string?>
        {
            ["Features:SpecPath"] = specPath,
            ["Features:Topic"] = HistoryTopic,
            ["Features:GroupId"] = "bench-inference-features",
            ["Features:PublishUpdates"] = "false",
        }))
        {
            await WaitForFencesAsync(stack.Endpoints.RedisUrl, delivered);
        }

        var model = new ModelStore(modelsDirectory).Put(Path.Combine(root, "models", "flight-delay", "flight-delay-1.model.json"), "bench");
        await PublishAsync(stack.Endpoints, TopicCatalog.Models, OnnxModel.KeyOf(model), model);
        await PublishAsync(stack.Endpoints, TopicCatalog.Deployments, "bench", new Deployment
        {
            deployment = "bench",
            event_types = ["flight_departure"],
            arms = [new DeploymentArm { name = "stable", model_name = model.model_name, model_version = model.version, traffic_weight = 1, shadow = false }],
            fallback = [],
            stage = "production",
            revision = 1,
            spec_version = "",
            updated_at = DateTime.UtcNow,
        });
        var settings = new Dictionary<string, string?>
        {
            ["Inference:SpecPath"] = specPath,
            ["Inference:ModelsDirectory"] = modelsDirectory,
            ["Inference:PredictionsTopic"] = PredictionsTopic,
            ["Inference:MaxBatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
        };

        // (a) One instance per request, against its parts.
        var options = new InferenceOptions { ModelsDirectory = modelsDirectory };
        using var bare = RegistryWatcher.Load(options, model);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisUrl.ToConfiguration(stack.Endpoints.RedisUrl));
        var db = redis.GetDatabase();
        var probe = Departures("p", 1, DateTime.UtcNow.AddMinutes(-1), TimeSpan.Zero)[0];
        var attributes = probe.attributes.ToDictionary(a => a.Key, a => (object?)a.Value);
        var views = model.inputs.Select(i => i.feature.Split('.')[0]).Where(v => v != FeatureName.EventPrefix).Distinct().Select(v => spec.FeatureViews[v]).ToList();
        var keys = views.Select(v => (RedisKey)FeatureKeys.Entity(v, EntityKey.Of(v, attributes)!)).ToArray();
        var row = ModelInputs.Assemble(model.inputs, attributes, _ => null);
        if (row.Unscorable is not null)
        {
            throw new InvalidOperationException($"the probe event cannot be scored by {OnnxModel.KeyOf(model)}: {row.Unscorable}");
        }
        var columns = ModelInputs.Columns(model.inputs, [row]);
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["event_id"] = probe.event_id,
            ["tenant_id"] = probe.tenant_id,
            ["entity_id"] = probe.entity_id,
            ["event_type"] = probe.event_type,
            ["event_time"] = probe.event_time.ToString("O", CultureInfo.InvariantCulture),
            ["attributes"] = probe.attributes,
        });

        var predict = new Dictionary<bool, LatencySummary>();
        var predictGc = new Dictionary<bool, GcActivity>();
        LatencySummary? httpFloor = null;
        foreach (var awaitsLog in new[] { true, false })
        {
            await using var service = await InProcessService.StartAsync(stack.Endpoints, b => b.BuildInferenceApp(), new Dictionary<string, string?>(settings)
            {
                ["Inference:Topic"] = IdleTopic,
                ["Inference:GroupId"] = "bench-idle",
                ["Inference:HttpAwaitsLog"] = awaitsLog ? "true" : "false",
            });
            await WaitForServingAsync(service.Client, OnnxModel.KeyOf(model));
            httpFloor ??= await LatencySummary.TimeAsync(requests, () => service.Client.GetStringAsync("/health/live"));
            using var sampler = Environment.GetEnvironmentVariable("MLOPS_BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;
            (predict[awaitsLog], predictGc[awaitsLog]) = await GcActivity.MeasureAsync(() => LatencySummary.TimeAsync(requests, async () =>
            {
                using var response = await service.Client.PostAsync(PredictEndpoint.Path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
                var answer = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode || !answer.Contains("\"probability\":", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"POST {PredictEndpoint.Path}: {(int)response.StatusCode} {answer}");
                }
            }));
            if (sampler is not null)
            {
                Console.WriteLine($"allocations by type, sampled, predict ({(awaitsLog ? "answer after ack" : "background log")}):{Environment.NewLine}{sampler.Top(25, requests)}");
            }
        }
        var redisRead = await LatencySummary.TimeAsync(requests, () => FeaturesBenchmark.PipelinedHashGetAll(db, keys));
        var reader = new FeatureStoreReader(redis);
        var featureReads = views.Select(v => new FeatureRequest(v, EntityKey.Of(v, attributes)!, probe.event_time)).ToArray();
        var readerRead = await LatencySummary.TimeAsync(requests, () => reader.ReadAsync(featureReads, DateTime.UtcNow));
        var onnxRun = await LatencySummary.TimeAsync(requests, () => { bare.Run(1, columns); return Task.CompletedTask; });
        var parts = await LatencySummary.TimeAsync(requests, async () =>
        {
            await FeaturesBenchmark.PipelinedHashGetAll(db, keys);
            bare.Run(1, columns);
        });
        var kafkaAck = await KafkaAckLatencyAsync(stack.Endpoints.KafkaBootstrap, requests);

        // (b) A backlog through a fresh instance, against the model's batched throughput alone.
        var stream = Departures("s", events, DateTime.UtcNow.AddHours(-1), TimeSpan.FromMilliseconds(100));
        await ProduceAsync(stack.Endpoints, StreamTopic, stream);
        var onnxRows = OnnxBatchedRate(bare, columns, batchSize, events);
        double passRate;
        using (var pass = new PassThrough(stack.Endpoints.KafkaBootstrap, StreamTopic, PassThroughTopic))
        {
            passRate = await MeasureAsync(() => pass.Forwarded, events);
        }
        double streamRate;
        await using (var service = await InProcessService.StartAsync(stack.Endpoints, b => b.BuildInferenceApp(),
                         new Dictionary<string, string?>(settings) { ["Inference:Topic"] = StreamTopic, ["Inference:GroupId"] = "bench-stream" }))
        {
            streamRate = await MeasureAsync(LoggedFromKafka, events);
        }

        Console.WriteLine();
        Console.WriteLine($"model {OnnxModel.KeyOf(model)}: {model.inputs.Count} inputs ({string.Join(", ", model.inputs.Select(i => i.feature))}), views read: {keys.Length}");
        Console.WriteLine($"{"(a) one instance",-46} {"p50 ms",8} {"p99 ms",8} {"max ms",8} {"n",7}");
        Console.WriteLine(predict[true].Format("POST /v1/predict, answer after the log's ack", 46));
        Console.WriteLine(predict[false].Format("POST /v1/predict, log in the background", 46));
        Console.WriteLine(redisRead.Format("bare pipelined HGETALL of its views", 46));
        Console.WriteLine(readerRead.Format("FeatureStoreReader (read + decode), context", 46));
        Console.WriteLine(onnxRun.Format("bare ONNX run, 1 row", 46));
        Console.WriteLine(parts.Format("bare HGETALL then ONNX run (baseline)", 46));
        Console.WriteLine(kafkaAck.Format("bare Kafka produce + ack, 1 record (context)", 46));
        Console.WriteLine(httpFloor!.Format("GET /health/live (HTTP floor, context)", 46));
        Console.WriteLine("server side, mean per predict request: " + Stages("http"));
        foreach (var (awaitsLog, gc) in predictGc)
        {
            Console.WriteLine($"during the {requests} predicts ({(awaitsLog ? "answer after ack" : "background log")}): {gc.Format(requests, "request (client and server)")}");
        }
        foreach (var (awaitsLog, latency) in predict)
        {
            var overhead = latency.P99 - parts.P99;
            Console.WriteLine($"p99 overhead over the baseline, {(awaitsLog ? "answer after ack" : "background log")}: {overhead:F3} ms " +
                              $"(target <= 1 ms: {(overhead <= 1 ? "met" : "NOT met")})");
        }
        Console.WriteLine();
        Console.WriteLine($"{"(b) streaming",-46} {"rows/s",12}");
        Console.WriteLine($"{$"bare ONNX run, batches of {batchSize} (baseline)",-46} {onnxRows,12:N0}");
        Console.WriteLine($"{"raw consume -> produce of the backlog (context)",-46} {passRate,12:N0}");
        Console.WriteLine($"{"Inference service, Kafka backlog",-46} {streamRate,12:N0}   ({streamRate / onnxRows:P1} of the baseline; target >= 50%: {(streamRate >= 0.5 * onnxRows ? "met" : "NOT met")}; {streamRate / passRate:P1} of the pass-through)");
        Console.WriteLine($"mean per Kafka batch: {Stages(ValidatedEventsScorer.Path)}; " + string.Join(", ", new[] { "decode", "score", "log" }.Select(phase =>
        {
            var histogram = InferenceMetrics.BatchPhaseSeconds.WithLabels(phase);
            return $"{phase} {histogram.Sum / Math.Max(1, histogram.Count) * 1000:F2} ms";
        })));
        return 0;
    }

    /// <summary>Mean time per scoring call in each stage, from the service's own latency histograms.</summary>
    private static string Stages(string path) => string.Join(", ", new[] { "features", "model", "total" }.Select(stage =>
    {
        var histogram = InferenceMetrics.Latency.WithLabels(stage, path);
        return $"{stage} {histogram.Sum / Math.Max(1, histogram.Count) * 1000:F3} ms";
    })) + $" ({InferenceMetrics.Latency.WithLabels("total", path).Count} calls)";

    private static List<EventEnvelope> Departures(string prefix, int count, DateTime start, TimeSpan spacing) =>
        Enumerable.Range(0, count).Select(i => SampleEvents.Departure($"{prefix}-{i}", start + spacing * i, i % 24)).ToList();

    private static async Task<List<(int Partition, long Offset)>> ProduceAsync(StackEndpoints stack, string topic, IReadOnlyList<EventEnvelope> events)
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var producer = new ProducerBuilder<string, EventEnvelope>(new ProducerConfig { BootstrapServers = stack.KafkaBootstrap, LingerMs = 5 })
            .SetValueSerializer(new AvroSerializer<EventEnvelope>(registry).AsSyncOverAsync()).Build();
        var delivered = new List<(int, long)>(events.Count);
        foreach (var chunk in events.Chunk(5_000))
        {
            var results = await Task.WhenAll(chunk.Select(e => producer.ProduceAsync(topic, new Message<string, EventEnvelope> { Key = e.entity_id, Value = e })));
            delivered.AddRange(results.Select(r => (r.Partition.Value, r.Offset.Value)));
        }
        return delivered;
    }

    private static async Task PublishAsync<T>(StackEndpoints stack, string topic, string key, T value) where T : ISpecificRecord
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var producer = new ProducerBuilder<string, T>(new ProducerConfig { BootstrapServers = stack.KafkaBootstrap })
            .SetValueSerializer(new AvroSerializer<T>(registry)).Build();
        await producer.ProduceAsync(topic, new Message<string, T> { Key = key, Value = value });
    }

    private static async Task WaitForFencesAsync(string redisUrl, IReadOnlyList<(int Partition, long Offset)> delivered)
    {
        var last = delivered.GroupBy(d => d.Partition).ToDictionary(g => g.Key, g => g.Max(d => d.Offset));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisUrl.ToConfiguration(redisUrl));
        var deadline = Stopwatch.StartNew();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (await poll.WaitForNextTickAsync())
        {
            var behind = 0;
            foreach (var (partition, offset) in last)
            {
                var fence = Fence.Decode(await redis.GetDatabase().HashGetAsync(FeatureKeys.Fence, FeatureKeys.FenceField(HistoryTopic, partition)));
                behind += fence.Offset < offset ? 1 : 0;
            }
            if (behind == 0)
            {
                return;
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"the Features service did not apply the history within 3 minutes ({behind} partitions behind)");
            }
        }
    }

    private static async Task WaitForServingAsync(HttpClient client, string modelKey)
    {
        var deadline = Stopwatch.StartNew();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await poll.WaitForNextTickAsync())
        {
            using var models = await client.GetFromJsonAsync<JsonDocument>("/v1/models");
            if (models!.RootElement.GetProperty("deployments").EnumerateArray().Any(d => d.GetProperty("model").GetString() == modelKey))
            {
                return;
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"{modelKey} not served within a minute: {models.RootElement}");
            }
        }
    }

    private static async Task<LatencySummary> KafkaAckLatencyAsync(string bootstrap, int count)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 0, EnableIdempotence = true }).Build();
        var value = new byte[400];
        return await LatencySummary.TimeAsync(count, () => producer.ProduceAsync(PredictionsTopic, new Message<byte[]?, byte[]> { Value = value }));
    }

    private static double OnnxBatchedRate(OnnxModel model, IReadOnlyList<Array> oneRow, int batchSize, int rows)
    {
        var batch = oneRow.Select(column => Repeat(column, batchSize)).ToList();
        for (var i = 0; i < 200; i++)
        {
            model.Run(batchSize, batch); // warm up
        }
        var runs = Math.Max(1, rows / batchSize);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++)
        {
            model.Run(batchSize, batch);
        }
        return runs * batchSize / clock.Elapsed.TotalSeconds;

        static Array Repeat(Array column, int n)
        {
            var copy = Array.CreateInstance(column.GetType().GetElementType()!, n);
            for (var i = 0; i < n; i++)
            {
                copy.SetValue(column.GetValue(0), i);
            }
            return copy;
        }
    }

    private static double LoggedFromKafka() => InferenceMetrics.Predictions.GetAllLabelValues()
        .Where(l => l[^1] == ValidatedEventsScorer.Path)
        .Sum(l => InferenceMetrics.Predictions.WithLabels(l).Value);

    /// <summary>Rows/s from the first counted row until <paramref name="total"/> more are counted (5-minute deadline).</summary>
    private static async Task<double> MeasureAsync(Func<double> counted, int total)
    {
        var before = counted();
        var deadline = Stopwatch.StartNew();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        Stopwatch? clock = null;
        double first = 0;
        while (await poll.WaitForNextTickAsync())
        {
            var done = counted() - before;
            if (done > 0 && clock is null)
            {
                clock = Stopwatch.StartNew();
                first = done;
            }
            if (done >= total)
            {
                return (done - first) / clock!.Elapsed.TotalSeconds;
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"only {done} of {total} counted within 5 minutes");
            }
        }
        return 0;
    }
}
