using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Contracts;
using MlOps.Stack;

namespace MlOps.Cli.Rollouts;

/// <summary>Reads a whole topic, from its beginning to where it ended when asked, as (key, record or tombstone) in order.</summary>
internal static class TopicSnapshot
{
    public static async Task<List<(string Key, T? Value)>> ReadAsync<T>(StackEndpoints stack, string topic, CancellationToken ct)
        where T : class
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        var deserializer = new AvroDeserializer<T>(registry);
        using var consumer = new ConsumerBuilder<string?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = stack.KafkaBootstrap,
            GroupId = "mlops-cli",
            EnableAutoCommit = false,
        }).Build();
        var partitions = Enumerable.Range(0, TopicCatalog.Get(topic).Partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var ends = partitions.ToDictionary(tp => tp, tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value);
        consumer.Assign(partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        var records = new List<(string, T?)>();
        var remaining = partitions.Where(tp => ends[tp] > 0).ToHashSet();
        while (remaining.Count > 0)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new CliException($"reading {topic} timed out");
            var value = result.Message.Value is { } bytes
                ? await deserializer.DeserializeAsync(bytes, false, new SerializationContext(MessageComponentType.Value, topic))
                : null;
            records.Add((result.Message.Key ?? "", value));
            if (result.Offset.Value + 1 >= ends[result.TopicPartition]) remaining.Remove(result.TopicPartition);
        }
        consumer.Close();
        ct.ThrowIfCancellationRequested();
        return records;
    }
}
