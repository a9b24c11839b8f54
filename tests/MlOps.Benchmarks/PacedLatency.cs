using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Contracts;
using MlOps.Stack;

namespace MlOps.Benchmarks;

/// <summary>
/// Publishes events at a fixed rate and reads the outputs as they appear: latency = output record time minus the
/// time the event was sent (ProducerMetadata.sent_at for the service; the input timestamp header for pass-through).
/// </summary>
internal static class PacedLatency
{
    public static async Task<LatencySummary> MeasureAsync(StackEndpoints stack, ISchemaRegistryClient registry, int rate, int seconds)
    {
        using var reader = Reader(stack, TopicCatalog.EventsValidated, new AvroDeserializer<EventEnvelope>(registry).AsSyncOverAsync());
        var run = Guid.NewGuid().ToString("N")[..8];
        var sent = await PublishAsync(stack, registry, rate, seconds, run);
        return Collect(reader, sent, r => r.Message.Value.event_id.StartsWith($"paced-{run}-", StringComparison.Ordinal)
            ? r.Message.Timestamp.UnixTimestampMs - new DateTimeOffset(r.Message.Value.producer.sent_at!.Value).ToUnixTimeMilliseconds()
            : null);
    }

    public static async Task<LatencySummary> MeasurePassThroughAsync(StackEndpoints stack, ISchemaRegistryClient registry, int rate, int seconds, string output)
    {
        using var reader = Reader(stack, output, Deserializers.ByteArray);
        var sent = await PublishAsync(stack, registry, rate, seconds, Guid.NewGuid().ToString("N")[..8]);
        return Collect(reader, sent, r => r.Message.Headers.TryGetLastBytes(PassThrough.InputTimestampHeader, out var ts)
            ? r.Message.Timestamp.UnixTimestampMs - BitConverter.ToInt64(ts)
            : null);
    }

    private static async Task<int> PublishAsync(StackEndpoints stack, ISchemaRegistryClient registry, int rate, int seconds, string run)
    {
        using var producer = new ProducerBuilder<string, EventEnvelope>(new ProducerConfig { BootstrapServers = stack.KafkaBootstrap, LingerMs = 1 })
            .SetValueSerializer(new AvroSerializer<EventEnvelope>(registry).AsSyncOverAsync()).Build();
        var total = rate * seconds;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            var now = DateTime.UtcNow;
            var e = SampleEvents.Departure($"paced-{run}-{i}", now.AddSeconds(-1), i % 24);
            e.producer.sent_at = now;
            producer.Produce(TopicCatalog.EventsRaw, new Message<string, EventEnvelope> { Key = e.entity_id, Value = e });
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        return total;
    }

    /// <summary>A consumer assigned to the end of every partition, so it sees only what comes next.</summary>
    private static IConsumer<string, T> Reader<T>(StackEndpoints stack, string topic, IDeserializer<T> values)
    {
        var consumer = new ConsumerBuilder<string, T>(new ConsumerConfig { BootstrapServers = stack.KafkaBootstrap, GroupId = "bench-reader", EnableAutoCommit = false })
            .SetValueDeserializer(values).Build();
        var partitions = TopicCatalog.Contains(topic) ? TopicCatalog.Get(topic).Partitions : 6;
        consumer.Assign(Enumerable.Range(0, partitions).Select(p =>
        {
            var tp = new TopicPartition(topic, p);
            return new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High);
        }));
        return consumer;
    }

    private static LatencySummary Collect<T>(IConsumer<string, T> reader, int expected, Func<ConsumeResult<string, T>, double?> latencyOf)
    {
        var samples = new List<double>(expected);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (samples.Count < expected && DateTime.UtcNow < deadline)
        {
            if (reader.Consume(TimeSpan.FromMilliseconds(100)) is { } record && latencyOf(record) is { } latency)
            {
                samples.Add(latency);
            }
        }
        return LatencySummary.From(samples);
    }
}
