using MlOps.Stack.Kafka;
using MlOps.Stack.Redis;
using MlOps.Stack.SchemaRegistry;

namespace MlOps.Stack;

/// <summary>
/// Kafka (librdkafka's mock cluster, catalog topics created), a Confluent-compatible schema registry and a real
/// redis-server, in this process and its child. The development, CI and demo default; never production.
/// </summary>
public sealed class EmbeddedStack : IAsyncDisposable
{
    private EmbeddedStack(MockKafkaCluster kafka, SchemaRegistryServer registry, RedisServerProcess redis)
    {
        Kafka = kafka;
        Registry = registry;
        Redis = redis;
        Endpoints = new StackEndpoints(kafka.BootstrapServers, registry.Url.ToString().TrimEnd('/'), redis.Url);
    }

    public MockKafkaCluster Kafka { get; }
    public SchemaRegistryServer Registry { get; }
    public RedisServerProcess Redis { get; }
    public StackEndpoints Endpoints { get; }

    public static async Task<EmbeddedStack> StartAsync(EmbeddedStackOptions options, CancellationToken ct)
    {
        var kafka = MockKafkaCluster.Start(options.Brokers, options.InitialRebalanceDelay);
        SchemaRegistryServer? registry = null;
        try
        {
            if (options.CreateCatalogTopics)
            {
                kafka.CreateCatalogTopics();
            }
            registry = await SchemaRegistryServer.StartAsync(options.RegistryPort, ct);
            var redis = await RedisServerProcess.StartAsync(options.RedisPort, ct);
            return new EmbeddedStack(kafka, registry, redis);
        }
        catch
        {
            if (registry is not null)
            {
                await registry.DisposeAsync();
            }
            kafka.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Registry.DisposeAsync();
        Kafka.Dispose();
    }
}
