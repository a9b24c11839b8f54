using Confluent.Kafka;

namespace MlOps.Common.Kafka;

/// <summary>
/// Builds librdkafka configs from <see cref="KafkaOptions"/>: the platform's safe defaults first, then any
/// setting from <c>Kafka:Consumer</c> / <c>Kafka:Producer</c>, so every librdkafka knob changes without code.
/// </summary>
public static class KafkaClientConfigs
{
    /// <summary>How long a record may wait for its acknowledgement before its produce fails (message.timeout.ms).</summary>
    public static readonly TimeSpan DefaultMessageTimeout = ConsumerWorkerOptions.MaxTransientRetryLimit;

    public static ProducerConfig Producer(KafkaOptions options)
    {
        var config = new ProducerConfig(new Dictionary<string, string>(options.Producer))
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = options.ClientId + "-producer",
            // Idempotence gives acks=all and in-order, de-duplicated retries per partition.
            EnableIdempotence = true,
            Acks = Acks.All,
        };
        config.LingerMs ??= 5;
        config.CompressionType ??= CompressionType.Lz4;
        // A batch waits for its records' acknowledgements on the consumer's loop; librdkafka's default (300 s) equals
        // the default max.poll.interval.ms, so a broker outage could get the consumer evicted from its group while it
        // waits. Giving up after 2 min (the longest MaxTransientRetry) fails the batch instead: it is retried or re-read.
        config.MessageTimeoutMs ??= (int)DefaultMessageTimeout.TotalMilliseconds;
        return config;
    }

    public static ConsumerConfig Consumer(KafkaOptions options, string groupId)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(options.Consumer))
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = groupId,
            ClientId = options.ClientId + "-" + groupId,
            // At-least-once: offsets are stored by the worker only after a batch's effects are durable;
            // librdkafka commits what was stored (and the worker commits explicitly after each batch).
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
        };
        // Cooperative-sticky moves only the partitions that must move; an explicit setting still wins.
        config.PartitionAssignmentStrategy ??= PartitionAssignmentStrategy.CooperativeSticky;
        config.AutoOffsetReset ??= AutoOffsetReset.Earliest;
        return config;
    }
}
