using MlOps.Stack;
using MlOps.Stack.SchemaRegistry;
using Testcontainers.Kafka;
using Testcontainers.Redis;

namespace MlOps.IntegrationTests.Infrastructure;

/// <summary>
/// Kafka and Redis in containers where Docker exists. The schema registry stays the embedded one (a registry
/// container would need the Kafka container's network; the registry's REST contract is what the tests exercise).
/// </summary>
internal sealed class ContainerStack : IAsyncDisposable
{
    private readonly KafkaContainer _kafka;
    private readonly RedisContainer _redis;
    private readonly SchemaRegistryServer _registry;

    private ContainerStack(KafkaContainer kafka, RedisContainer redis, SchemaRegistryServer registry)
    {
        (_kafka, _redis, _registry) = (kafka, redis, registry);
        Endpoints = new StackEndpoints(kafka.GetBootstrapAddress(), registry.Url.ToString().TrimEnd('/'), "redis://" + redis.GetConnectionString());
    }

    public StackEndpoints Endpoints { get; }

    public static async Task<ContainerStack> StartAsync(CancellationToken ct)
    {
        var kafka = new KafkaBuilder("confluentinc/cp-kafka:7.7.1").Build();
        var redis = new RedisBuilder("redis:7.0").Build();
        await Task.WhenAll(kafka.StartAsync(ct), redis.StartAsync(ct));
        return new ContainerStack(kafka, redis, await SchemaRegistryServer.StartAsync(0, ct));
    }

    public async ValueTask DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _redis.DisposeAsync();
        await _kafka.DisposeAsync();
    }
}
