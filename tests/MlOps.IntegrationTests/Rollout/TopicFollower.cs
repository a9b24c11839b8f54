using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;

namespace MlOps.IntegrationTests.Rollout;

/// <summary>Reads every partition of a topic from its beginning and keeps what it read; each poll drains what is there.</summary>
internal sealed class TopicFollower<T> : IDisposable where T : class
{
    private readonly IConsumer<string?, byte[]?> _consumer;
    private readonly AvroDeserializer<T> _deserializer;
    private readonly string _topic;

    public TopicFollower(MlOps.Stack.StackEndpoints stack, ISchemaRegistryClient registry, string topic, int partitions)
    {
        _topic = topic;
        _deserializer = new AvroDeserializer<T>(registry);
        _consumer = new ConsumerBuilder<string?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = stack.KafkaBootstrap,
            GroupId = Infrastructure.StackFixture.NewGroupId("rollout-follower"),
            EnableAutoCommit = false,
        }).Build();
        _consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
    }

    public List<(string Key, T Value)> Records { get; } = [];

    public async Task<List<(string Key, T Value)>> PollAsync()
    {
        while (await Task.Run(() => _consumer.Consume(TimeSpan.FromMilliseconds(50))) is { } result)
        {
            if (result.Message.Value is { } bytes)
            {
                Records.Add((result.Message.Key ?? "", await _deserializer.DeserializeAsync(bytes, false, new SerializationContext(MessageComponentType.Value, _topic))));
            }
        }
        return Records;
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
