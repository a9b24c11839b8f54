using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace MlOps.IntegrationTests.Kafka;

internal static class RawMessages
{
    /// <summary>Produces <paramref name="count"/> messages "m-0".."m-N" with keys spread over partitions.</summary>
    public static async Task ProduceAsync(string bootstrap, string topic, int count)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
        for (var i = 0; i < count; i++)
        {
            producer.Produce(topic, new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes("k-" + (i % 17).ToString(CultureInfo.InvariantCulture)),
                Value = Encoding.UTF8.GetBytes("m-" + i.ToString(CultureInfo.InvariantCulture)),
            });
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        await Task.CompletedTask;
    }

    /// <summary>Reads a topic from the start until <paramref name="count"/> messages arrived or the timeout passed.</summary>
    public static List<ConsumeResult<byte[], byte[]>> ReadAll(string bootstrap, string topic, int count, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var results = new List<ConsumeResult<byte[], byte[]>>();
        var deadline = DateTime.UtcNow + timeout;
        while (results.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                results.Add(result);
            }
        }
        consumer.Close();
        return results;
    }

    /// <summary>The group's committed offsets on each partition of a topic (-1001 when none).</summary>
    public static IReadOnlyDictionary<int, long> Committed(string bootstrap, string group, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group }).Build();
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10))
            .ToDictionary(tpo => tpo.Partition.Value, tpo => tpo.Offset.Value);
    }
}
