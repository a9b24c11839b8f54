using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Confluent.SchemaRegistry;
using MlOps.Common.Kafka;
using MlOps.Stack;
using MlOps.Stack.Kafka;
using Xunit.Abstractions;
using Xunit.Sdk;
using MlOps.Common.Redis;

namespace MlOps.IntegrationTests.Infrastructure;

/// <summary>
/// Kafka + Schema Registry + Redis for integration tests: Testcontainers when a Docker engine answers, the embedded
/// stack (librdkafka mock cluster, embedded registry, redis-server child) otherwise. Every run logs which.
/// Tests get their own topics and consumer groups from <see cref="CreateTopicAsync"/> and <see cref="NewGroupId"/>,
/// so nothing is shared by accident.
/// </summary>
public sealed class StackFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private IAsyncDisposable? _stack;
    private IAdminClient? _admin;

    /// <summary>"embedded" or "testcontainers".</summary>
    public string Mode { get; private set; } = "";

    public StackEndpoints Endpoints { get; private set; } = null!;

    /// <summary>The mock cluster for fault injection; null on Testcontainers.</summary>
    public MockKafkaCluster? MockCluster { get; private set; }

    public KafkaOptions Kafka => new() { BootstrapServers = Endpoints.KafkaBootstrap, ClientId = "it" };

    /// <summary>A connection to the stack's redis-server (dispose it).</summary>
    public Task<StackExchange.Redis.ConnectionMultiplexer> ConnectRedisAsync() =>
        StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(RedisUrl.ToConfiguration(Endpoints.RedisUrl));

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        if (await DockerEngine.IsReachableAsync(timeout.Token))
        {
            var containers = await ContainerStack.StartAsync(timeout.Token);
            (_stack, Endpoints, Mode) = (containers, containers.Endpoints, "testcontainers");
            _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Endpoints.KafkaBootstrap }).Build();
        }
        else
        {
            var embedded = await EmbeddedStack.StartAsync(new EmbeddedStackOptions(), timeout.Token);
            (_stack, Endpoints, Mode, MockCluster) = (embedded, embedded.Endpoints, "embedded", embedded.Kafka);
        }
        diagnostics.OnMessage(new DiagnosticMessage(
            $"integration stack: {Mode} (kafka {Endpoints.KafkaBootstrap}, registry {Endpoints.SchemaRegistryUrl}, redis {Endpoints.RedisUrl})"));
    }

    /// <summary>A new topic no other test uses, with its dead-letter topic unless <paramref name="withDeadLetterTopic"/> is false.</summary>
    public async Task<string> CreateTopicAsync(string purpose, int partitions, bool withDeadLetterTopic = true)
    {
        var name = $"it.{purpose}.{Guid.NewGuid():N}"[..Math.Min(60, purpose.Length + 36)];
        await CreateAsync(name, partitions);
        if (withDeadLetterTopic)
        {
            await CreateDeadLetterTopicAsync(name);
        }
        return name;
    }

    /// <summary>The dead-letter topic of <paramref name="topic"/>, for a test that created the topic without one.</summary>
    public Task CreateDeadLetterTopicAsync(string topic) => CreateAsync(topic + MlOps.Contracts.TopicCatalog.DeadLetterSuffix, 1);

    private async Task CreateAsync(string name, int partitions)
    {
        if (MockCluster is not null)
        {
            MockCluster.CreateTopic(name, partitions);
        }
        else
        {
            await _admin!.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }]);
        }
    }

    public static string NewGroupId(string purpose) => $"it-{purpose}-{Guid.NewGuid():N}";

    public CachedSchemaRegistryClient NewRegistryClient() =>
        new(new SchemaRegistryConfig { Url = Endpoints.SchemaRegistryUrl });

    public async Task DisposeAsync()
    {
        _admin?.Dispose();
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}
