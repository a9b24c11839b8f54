using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry.Serdes;
using Avro.Specific;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Contracts.Codegen;
using MlOps.Inference;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Models;
using MlOps.Stack;

namespace MlOps.IntegrationTests.Inference;

/// <summary>
/// One test's world for the Inference service: the repository's flights spec with this run's own event type and
/// view names (tests share one Redis and one registry topic), the checked-in flight-delay model (trained on the BTS
/// data) registered under this run's name with its view features renamed to match, and departures to score.
/// </summary>
internal sealed class InferenceScenario
{
    public static readonly string Root = RepoRoot.Find(AppContext.BaseDirectory);
    public static readonly string ModelManifestPath = Path.Combine(Root, "models", "flight-delay", "flight-delay-1.model.json");
    // One model store for the test run: every instance reads every test's deployments from the shared registry
    // topic, and resolves their artifacts here.
    private static readonly string SharedModelsDirectory = System.IO.Directory.CreateTempSubdirectory("mlops-it-registry-").FullName;
    private static readonly string[] Airports = ["JFK", "LAX", "ORD", "ATL", "DFW", "SEA"];

    private InferenceScenario(string run, string directory)
    {
        Run = run;
        Directory = directory;
        EventType = $"departure_{run}";
        SpecPath = Path.Combine(directory, "flights.yaml");
        var yaml = File.ReadAllText(Path.Combine(Root, "infra", "examples", "flights", "spec.yaml"))
            .Replace("flight_departure", EventType, StringComparison.Ordinal)
            .Replace("flight_arrival", $"arrival_{run}", StringComparison.Ordinal)
            .Replace("origin_traffic:", $"origin_traffic_{run}:", StringComparison.Ordinal)
            .Replace("route_delays:", $"route_delays_{run}:", StringComparison.Ordinal)
            .Replace("destination_traffic:", $"destination_traffic_{run}:", StringComparison.Ordinal)
            .Replace("origin_delays:", $"origin_delays_{run}:", StringComparison.Ordinal);
        File.WriteAllText(SpecPath, yaml);
        Spec = SpecLoader.Load(SpecPath);
        ModelsDirectory = SharedModelsDirectory;
    }

    public string Run { get; }

    public string Directory { get; }

    public string EventType { get; }

    public string SpecPath { get; }

    public PlatformSpec Spec { get; }

    public string ModelsDirectory { get; }

    public string ModelName => $"delay-{Run}";

    public string DeploymentName => $"it-{Run}";

    public static InferenceScenario Create()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        return new InferenceScenario(run, System.IO.Directory.CreateTempSubdirectory("mlops-inference-").FullName);
    }

    /// <summary>This run's view name for a view of the repository's spec.</summary>
    public string View(string name) => $"{name}_{Run}";

    /// <summary>
    /// Registers the checked-in model as <paramref name="version"/> the way <c>./mlops models register</c> does
    /// (verified, copied into the store, published), with <paramref name="artifact"/> replacing its bytes when given.
    /// </summary>
    public async Task<ModelVersion> RegisterAsync(StackFixture stack, string version, Func<ManifestInput, ManifestInput>? input = null)
    {
        var source = ModelManifest.Read(ModelManifestPath);
        var manifest = source with
        {
            Name = ModelName,
            Version = version,
            Artifact = source.ArtifactPath(ModelManifestPath),
            Inputs = source.Inputs.Select(i => (input ?? (same => same))(i with { Feature = Rename(i.Feature) })).ToList(),
        };
        var path = Path.Combine(Directory, ModelManifest.FileName(ModelName, version));
        manifest.Write(path);
        var registered = new ModelStore(ModelsDirectory).Put(path, "integration-test");
        await PublishAsync(stack, TopicCatalog.Models, OnnxModel.KeyOf(registered), registered);
        return registered;
    }

    /// <summary>Publishes a version as-is, bypassing the CLI's checks: what a broken store or a bad publisher leaves.</summary>
    public Task PublishVersionAsync(StackFixture stack, ModelVersion version) =>
        PublishAsync(stack, TopicCatalog.Models, OnnxModel.KeyOf(version), version);

    public Task DeployAsync(StackFixture stack, ModelVersion model, long revision) =>
        DeployAsync(stack, Deployment(revision, Arm("stable", model, 1.0)));

    /// <summary>Publishes a rule set to mlops.rules under name:version, as './mlops rules publish' does.</summary>
    public Task PublishRuleSetAsync(StackFixture stack, RuleSet set) =>
        PublishAsync(stack, TopicCatalog.Rules, set.Key, set);

    /// <summary>Publishes a deployment under its key (deployment, or deployment/tenant).</summary>
    public Task DeployAsync(StackFixture stack, Deployment deployment) =>
        PublishAsync(stack, TopicCatalog.Deployments,
            deployment.tenant_id is { } tenant ? $"{deployment.deployment}/{tenant}" : deployment.deployment, deployment);

    /// <summary>This run's deployment of its event type with the given arms.</summary>
    public Deployment Deployment(long revision, params DeploymentArm[] arms) => new()
    {
        deployment = DeploymentName,
        event_types = [EventType],
        arms = arms.ToList(),
        stage = "production",
        revision = revision,
        spec_version = "",
        updated_at = DateTime.UtcNow,
    };

    public static DeploymentArm Arm(string name, ModelVersion model, double weight, bool shadow = false) =>
        new() { name = name, model_name = model.model_name, model_version = model.version, traffic_weight = weight, shadow = shadow };

    public static string Ref(ModelVersion model) => OnnxModel.KeyOf(model);

    public Dictionary<string, string?> InferenceSettings(string topic, string predictionsTopic, int batchSize = 64) => new()
    {
        ["Inference:SpecPath"] = SpecPath,
        ["Inference:ModelsDirectory"] = ModelsDirectory,
        ["Inference:Topic"] = topic,
        ["Inference:PredictionsTopic"] = predictionsTopic,
        ["Inference:GroupId"] = StackFixture.NewGroupId("inference"),
        ["Inference:MaxBatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
    };

    public Dictionary<string, string?> FeaturesSettings(string topic) => new()
    {
        ["Features:SpecPath"] = SpecPath,
        ["Features:Topic"] = topic,
        ["Features:GroupId"] = StackFixture.NewGroupId("features"),
    };

    public static Task<InProcessService> StartInferenceAsync(StackEndpoints stack, Dictionary<string, string?> settings) =>
        InProcessService.StartAsync(stack, b => b.BuildInferenceApp(), settings);

    /// <summary>Waits until the service serves this run's deployment with <paramref name="modelKey"/>.</summary>
    public async Task WaitForServingAsync(InProcessService service, string modelKey, TimeSpan timeout) =>
        await Eventually.MatchAsync(
            async ct =>
            {
                using var models = await service.Client.GetFromJsonAsync<JsonDocument>("/v1/models", ct);
                return models!.RootElement.GetProperty("deployments").EnumerateArray()
                    .Where(d => d.GetProperty("deployment").GetString() == DeploymentName)
                    .Select(d => d.GetProperty("model").GetString())
                    .FirstOrDefault() ?? "not served";
            },
            model => model == modelKey, timeout, $"{DeploymentName} served by {modelKey}");

    /// <summary>Departures of this run's event type, <paramref name="spacing"/> apart from <paramref name="start"/>.</summary>
    public List<EventEnvelope> Departures(string prefix, int count, int seed, DateTime start, TimeSpan spacing, string[]? origins = null)
    {
        var random = new Random(seed);
        origins ??= Airports;
        return Enumerable.Range(0, count).Select(i =>
        {
            var at = Millis(start + spacing * i); // the contract's timestamp-millis precision
            var origin = origins[random.Next(origins.Length)];
            return new EventEnvelope
            {
                event_id = $"{Run}-{prefix}-{i}",
                tenant_id = "airline-a",
                entity_id = $"FL{prefix}{i}",
                event_type = EventType,
                event_time = at,
                attributes = new Dictionary<string, object>
                {
                    ["origin"] = origin,
                    ["destination"] = Airports[(Array.IndexOf(Airports, origin) + 1 + random.Next(3)) % Airports.Length],
                    ["distance"] = (double)random.Next(100, 3000),
                    ["dep_hour"] = (long)at.Hour,
                    ["day_of_week"] = (long)(((int)at.DayOfWeek + 6) % 7 + 1),
                    ["month"] = (long)at.Month,
                },
                producer = new ProducerMetadata { producer_id = "it-inference" },
            };
        }).ToList();
    }

    /// <summary>Reads <paramref name="count"/> predictions from <paramref name="topic"/> (from its beginning).</summary>
    public static Task<List<(Prediction Prediction, Headers Headers)>> ReadPredictionsAsync(
        StackFixture stack, string topic, int count, TimeSpan timeout) =>
        ReadAsync<Prediction>(stack, topic, _ => true, count, timeout);

    /// <summary>Reads records of <paramref name="topic"/> from its beginning until <paramref name="count"/> were kept or time is up.</summary>
    public static async Task<List<(T Value, Headers Headers)>> ReadAsync<T>(
        StackFixture stack, string topic, Func<T, bool> keep, int count, TimeSpan timeout) where T : class
    {
        using var registry = stack.NewRegistryClient();
        using var consumer = new ConsumerBuilder<string, T>(new ConsumerConfig
            {
                BootstrapServers = stack.Endpoints.KafkaBootstrap,
                GroupId = StackFixture.NewGroupId("reader"),
                AutoOffsetReset = AutoOffsetReset.Earliest,
            })
            .SetValueDeserializer(new AvroDeserializer<T>(registry).AsSyncOverAsync())
            .Build();
        consumer.Subscribe(topic);
        // One blocking loop on a pool thread: a hop per record made reading a large topic the slow part of a test.
        var read = await Task.Run(() =>
        {
            var kept = new List<(T, Headers)>();
            var deadline = DateTime.UtcNow + timeout;
            while (kept.Count < count && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message.Value: { } value } result && keep(value))
                {
                    kept.Add((value, result.Message.Headers));
                }
            }
            return kept;
        });
        consumer.Close();
        return read;
    }

    /// <summary>POST /v1/predict with the events in the JSON event format; asserts 200 and returns the predictions.</summary>
    public static async Task<IReadOnlyList<JsonElement>> PredictAsync(HttpClient client, IEnumerable<EventEnvelope> events)
    {
        var body = events.Select(e => new Dictionary<string, object?>
        {
            ["event_id"] = e.event_id,
            ["tenant_id"] = e.tenant_id,
            ["entity_id"] = e.entity_id,
            ["event_type"] = e.event_type,
            ["event_time"] = e.event_time.ToString("O"),
            ["attributes"] = e.attributes,
        }).ToList();
        using var response = await client.PostAsJsonAsync(PredictEndpoint.Path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {PredictEndpoint.Path}: {(int)response.StatusCode} {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.Clone()).ToList();
    }

    /// <summary>Waits until the service serves <paramref name="key"/> at <paramref name="revision"/>.</summary>
    public static async Task WaitForRevisionAsync(InProcessService service, string key, long revision, TimeSpan timeout) =>
        await Eventually.MatchAsync(
            async ct =>
            {
                using var models = await service.Client.GetFromJsonAsync<JsonDocument>("/v1/models", ct);
                return models!.RootElement.GetProperty("deployments").EnumerateArray()
                    .Where(d => d.GetProperty("deployment").GetString() == key)
                    .Select(d => d.GetProperty("revision").GetInt64())
                    .FirstOrDefault(-1);
            },
            served => served == revision, timeout, $"{key} served at revision {revision}");

    private static DateTime Millis(DateTime time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    private string Rename(string feature)
    {
        var dot = feature.IndexOf('.', StringComparison.Ordinal);
        var view = feature[..dot];
        return view == FeatureName.EventPrefix ? feature : $"{View(view)}{feature[dot..]}";
    }

    private static async Task PublishAsync<T>(StackFixture stack, string topic, string key, T value) where T : ISpecificRecord
    {
        using var registry = stack.NewRegistryClient();
        using var producer = new ProducerBuilder<string, T>(new ProducerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap })
            .SetValueSerializer(new AvroSerializer<T>(registry))
            .Build();
        await producer.ProduceAsync(topic, new Message<string, T> { Key = key, Value = value });
    }
}
