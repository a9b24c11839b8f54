using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Contracts;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>
/// The CLI's reads and writes of the stack's compacted registry topics (mlops.models, mlops.deployments):
/// publish a record, publish a tombstone, read a topic's current state.
/// </summary>
internal static class StackTopics
{
    public static async Task<TopicPartitionOffset> PublishAsync<T>(StackEndpoints stack, string topic, string key, T value, CancellationToken ct = default)
        where T : ISpecificRecord
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var producer = new ProducerBuilder<string, T>(new ProducerConfig { BootstrapServers = stack.KafkaBootstrap, EnableIdempotence = true })
            .SetValueSerializer(new AvroSerializer<T>(registry))
            .Build();
        try
        {
            var result = await producer.ProduceAsync(topic, new Message<string, T> { Key = key, Value = value }, ct);
            return result.TopicPartitionOffset;
        }
        catch (ProduceException<string, T> ex)
        {
            throw new CliException($"publishing to {topic} failed: {ex.Error.Reason}");
        }
    }

    /// <summary>A null value for the key: compaction then drops the key, and readers retire it.</summary>
    public static async Task<TopicPartitionOffset> PublishTombstoneAsync(StackEndpoints stack, string topic, string key, CancellationToken ct = default)
    {
        using var producer = new ProducerBuilder<string, byte[]?>(new ProducerConfig { BootstrapServers = stack.KafkaBootstrap, EnableIdempotence = true }).Build();
        try
        {
            var result = await producer.ProduceAsync(topic, new Message<string, byte[]?> { Key = key, Value = null }, ct);
            return result.TopicPartitionOffset;
        }
        catch (ProduceException<string, byte[]?> ex)
        {
            throw new CliException($"publishing to {topic} failed: {ex.Error.Reason}");
        }
    }

    /// <summary>
    /// The topic's current state: every partition read from the beginning to its high watermark, later records
    /// replacing earlier ones per key and tombstones removing them.
    /// </summary>
    public static async Task<Dictionary<string, T>> ReadAsync<T>(StackEndpoints stack, string topic, CancellationToken ct = default)
        where T : class, ISpecificRecord
    {
        var state = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (key, value) in await Rollouts.TopicSnapshot.ReadAsync<T>(stack, topic, ct))
        {
            if (value is null) state.Remove(key);
            else state[key] = value;
        }
        return state;
    }
}
