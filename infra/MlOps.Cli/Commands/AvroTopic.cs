using Avro.Specific;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>Publishing Avro records to a running stack's topics and reading a compacted topic back.</summary>
internal static class AvroTopic
{
    public static async Task<TopicPartitionOffset> PublishAsync<T>(StackEndpoints stack, string topic, string key, T value)
        where T : ISpecificRecord
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var producer = new ProducerBuilder<string, T>(new ProducerConfig { BootstrapServers = stack.KafkaBootstrap, EnableIdempotence = true })
            .SetValueSerializer(new AvroSerializer<T>(registry))
            .Build();
        try
        {
            var result = await producer.ProduceAsync(topic, new Message<string, T> { Key = key, Value = value });
            return result.TopicPartitionOffset;
        }
        catch (ProduceException<string, T> ex)
        {
            throw new CliException($"publishing to {topic} failed: {ex.Error.Reason}");
        }
    }

    /// <summary>
    /// The latest value per key of a single-partition compacted topic: reads partition 0 from the beginning up to the
    /// high watermark taken at the start (tombstones remove a key).
    /// </summary>
    public static IReadOnlyDictionary<string, T> ReadLatest<T>(StackEndpoints stack, string topic, CancellationToken cancellationToken)
        where T : class, ISpecificRecord
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var consumer = new ConsumerBuilder<string, T?>(new ConsumerConfig
            {
                BootstrapServers = stack.KafkaBootstrap,
                GroupId = $"mlops-cli-{Guid.NewGuid():N}",
                EnableAutoCommit = false,
            })
            .SetValueDeserializer(new AvroDeserializer<T?>(registry).AsSyncOverAsync())
            .Build();
        var partition = new TopicPartition(topic, 0);
        var latest = new Dictionary<string, T>(StringComparer.Ordinal);
        try
        {
            var end = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High.Value;
            consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            var next = 0L;
            while (next < end)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (DateTime.UtcNow > deadline)
                {
                    throw new CliException($"reading {topic} timed out at offset {next} of {end}");
                }
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { } record)
                {
                    continue;
                }
                next = record.Offset.Value + 1;
                if (record.Message.Value is { } value)
                {
                    latest[record.Message.Key] = value;
                }
                else
                {
                    latest.Remove(record.Message.Key);
                }
            }
        }
        catch (KafkaException ex)
        {
            throw new CliException($"reading {topic} failed: {ex.Error.Reason}");
        }
        finally
        {
            consumer.Close();
        }
        return latest;
    }
}
