using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Common.Features;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Features;
using MlOps.Features.Store;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Stack;
using MlOps.Testing.Features;
using StackExchange.Redis;
using MlOps.Common.Redis;

namespace MlOps.IntegrationTests.Features;

/// <summary>An event as delivered: where it landed and what it was.</summary>
internal sealed record Delivered(int Partition, long Offset, EventEnvelope Envelope);

/// <summary>
/// A reproducible stream of departures for the feature-store tests, a spec whose view names are unique to this
/// run (so tests sharing one Redis never see each other's keys), and the oracle: the in-memory store fed each
/// partition in offset order, which the Redis state must equal.
/// </summary>
internal sealed class FeatureScenario
{
    private static readonly string[] Airports = ["JFK", "LAX", "ORD", "ATL", "DFW", "SEA"];

    private FeatureScenario(string run, string specPath, PlatformSpec spec, IReadOnlyList<EventEnvelope> events)
    {
        Run = run;
        SpecPath = specPath;
        Spec = spec;
        Catalog = new ViewCatalog(spec.FeatureViews.Values);
        Events = events;
    }

    public string Run { get; }

    public string SpecPath { get; }

    public PlatformSpec Spec { get; }

    public ViewCatalog Catalog { get; }

    public IReadOnlyList<EventEnvelope> Events { get; }

    public static FeatureScenario Create(int count, int seed)
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var yaml = $$"""
            spec: it-features
            version: "1"
            contracts:
              flight_departure:
                version: "1"
                max_clock_skew: 5m
                attributes:
                  origin:      { type: string, required: true }
                  destination: { type: string, required: true }
                  distance:    { type: double, required: true }
            features:
              airport_{{run}}:
                version: "1"
                entity: origin
                sources: [flight_departure]
                ttl: 6h
                allowed_lateness: 10m
                aggregations:
                  departures:    { function: count, windows: [30m, 2h] }
                  mean_distance: { function: mean, attribute: distance, windows: [2h] }
                  max_distance:  { function: max, attribute: distance, windows: [30m] }
                  destinations:  { function: distinct_count, attribute: destination, windows: [2h] }
                  last_dest:     { function: last, attribute: destination }
                  since_last:    { function: time_since_last }
              route_{{run}}:
                version: "1"
                entity: [origin, destination]
                sources: [flight_departure]
                ttl: 6h
                allowed_lateness: 10m
                aggregations:
                  flights: { function: count, windows: [1h] }
            """;
        var path = Path.Combine(Directory.CreateTempSubdirectory("mlops-features-").FullName, "spec.yaml");
        File.WriteAllText(path, yaml);

        var random = new Random(seed);
        var start = DateTime.UtcNow.AddHours(-3);
        var events = Enumerable.Range(0, count).Select(i =>
        {
            // Mostly in order, a little disorder within the lateness, and a few events far too late.
            var jitter = random.Next(100) < 3 ? -40 : random.Next(-5, 2);
            var origin = Airports[random.Next(Airports.Length)];
            return new EventEnvelope
            {
                event_id = $"{run}-{i}",
                tenant_id = "airline-a",
                entity_id = $"FL{i}",
                event_type = "flight_departure",
                event_time = start.AddSeconds(i * 10).AddMinutes(jitter),
                attributes = new Dictionary<string, object>
                {
                    ["origin"] = origin,
                    ["destination"] = Airports[(Array.IndexOf(Airports, origin) + 1 + random.Next(3)) % Airports.Length],
                    ["distance"] = (double)random.Next(100, 3000), // whole miles, as in the BTS data: sums are exact in any order
                },
                producer = new ProducerMetadata { producer_id = "it-features" },
            };
        }).ToList();
        return new FeatureScenario(run, path, SpecLoader.Load(path), events);
    }

    public Dictionary<string, string?> Settings(string topic, string group, int batchSize = 50) => new()
    {
        ["Features:SpecPath"] = SpecPath,
        ["Features:Topic"] = topic,
        ["Features:GroupId"] = group,
        ["Features:MaxBatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static async Task<List<Delivered>> ProduceAsync(StackFixture stack, string topic, IEnumerable<EventEnvelope> events)
    {
        using var registry = stack.NewRegistryClient();
        using var producer = new ProducerBuilder<string, EventEnvelope>(new ProducerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap, LingerMs = 5 })
            .SetValueSerializer(new AvroSerializer<EventEnvelope>(registry).AsSyncOverAsync())
            .Build();
        var delivered = new List<Delivered>();
        foreach (var e in events)
        {
            var result = await producer.ProduceAsync(topic, new Message<string, EventEnvelope> { Key = e.entity_id, Value = e });
            delivered.Add(new Delivered(result.Partition.Value, result.Offset.Value, e));
        }
        return delivered;
    }

    public InMemoryFeatureStore Oracle(string topic, IEnumerable<Delivered> delivered) => InMemoryFeatureStore.Oracle(
        Catalog, topic, delivered.Select(d => (d.Partition, ValidatedEventsHandler.ToFeatureEvent(d.Offset, d.Envelope))));

    /// <summary>This run's keys in Redis as a <see cref="StoreSnapshot"/> (HyperLogLogs as their counts).</summary>
    public async Task<string> RedisSnapshotAsync(string redisUrl, string topic, IEnumerable<int> partitions)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisUrl.ToConfiguration(redisUrl));
        var server = redis.GetServers()[0];
        var db = redis.GetDatabase();
        var hashes = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var key in server.KeysAsync(pattern: $"mlops:fv:*_{Run}@*", pageSize: 1000))
        {
            if (await db.KeyTypeAsync(key) == RedisType.Hash)
            {
                hashes[key!] = (await db.HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
            }
            else
            {
                counts[key!] = await db.HyperLogLogLengthAsync(key);
            }
        }
        var fences = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var partition in partitions.Distinct())
        {
            var field = FeatureKeys.FenceField(topic, partition);
            fences[field] = (string?)await db.HashGetAsync(FeatureKeys.Fence, field) ?? "";
        }
        return StoreSnapshot.Format(hashes, counts, fences);
    }

    /// <summary>Waits until every partition's fence has reached the last offset delivered to it.</summary>
    public static async Task WaitForFencesAsync(string redisUrl, string topic, IReadOnlyList<Delivered> delivered, TimeSpan timeout)
    {
        var last = delivered.GroupBy(d => d.Partition).ToDictionary(g => g.Key, g => g.Max(d => d.Offset));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(
            RedisUrl.ToConfiguration(redisUrl) + ",abortConnect=false");
        await Eventually.MatchAsync(
            async _ =>
            {
                var behind = new List<string>();
                try
                {
                    foreach (var (partition, offset) in last)
                    {
                        var fence = Fence.Decode(await redis.GetDatabase().HashGetAsync(FeatureKeys.Fence, FeatureKeys.FenceField(topic, partition)));
                        if (fence.Offset < offset) behind.Add($"p{partition} at {fence.Offset}/{offset}");
                    }
                }
                catch (RedisException ex)
                {
                    behind.Add(ex.GetType().Name);
                }
                return string.Join(", ", behind);
            },
            behind => behind.Length == 0, timeout, "every partition's fence at its last offset");
    }

    public static Task<InProcessService> StartServiceAsync(StackEndpoints stack, Dictionary<string, string?> settings) =>
        InProcessService.StartAsync(stack, b => b.BuildFeaturesApp(), settings);
}
