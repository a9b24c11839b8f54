using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Contracts;

namespace MlOps.Common.Kafka;

/// <summary>
/// Follows every partition of a catalog topic from its beginning, without a consumer group's offsets: each
/// <see cref="CatchUpAsync"/> hands over the Avro records (or tombstones) published since the last one, up to the
/// topic's end at the time of the call. For tools and tests that watch what the services publish.
/// </summary>
public sealed class TopicFollower<T> : IDisposable
    where T : class
{
    private readonly string _topic;
    private readonly AvroDeserializer<T> _deserializer;
    private readonly IConsumer<string?, byte[]?> _consumer;
    private readonly List<TopicPartition> _partitions;

    public TopicFollower(string bootstrapServers, ISchemaRegistryClient registry, string topic)
    {
        _topic = topic;
        _deserializer = new AvroDeserializer<T>(registry);
        _consumer = new ConsumerBuilder<string?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"mlops-follower-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            FetchWaitMaxMs = 20,    // a reader catching up wants what is there now, not a fuller fetch later
        }).Build();
        _partitions = Enumerable.Range(0, TopicCatalog.Get(topic).Partitions).Select(p => new TopicPartition(topic, p)).ToList();
        _consumer.Assign(_partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
    }

    /// <summary>Reads to the end each partition has now; returns how many records were read.</summary>
    /// <param name="timeout">How long it may go without reading a record (a long topic takes as long as it takes).</param>
    /// <exception cref="TimeoutException">No record came for <paramref name="timeout"/> before the end was reached.</exception>
    /// <exception cref="KafkaException">The cluster could not be read.</exception>
    /// <remarks>
    /// librdkafka's consume blocks, so the records are fetched on a thread of their own, a chunk at a time, and
    /// decoded and handed over here, asynchronously: no caller's thread is held while the cluster is waited for.
    /// </remarks>
    public async Task<int> CatchUpAsync(Action<string, T?> onRecord, TimeSpan timeout, CancellationToken ct = default)
    {
        Dictionary<TopicPartition, WatermarkOffsets>? marks = null; // the ends as of this call, taken by the first fetch
        var read = 0;
        while (true)
        {
            var chunk = await Task.Factory.StartNew(() =>
            {
                marks ??= _partitions.ToDictionary(tp => tp, tp => _consumer.QueryWatermarkOffsets(tp, timeout));
                return FetchChunk(marks, timeout, read, ct);
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            foreach (var (key, bytes) in chunk)
            {
                var value = bytes is null
                    ? null
                    : await _deserializer.DeserializeAsync(bytes, false, new SerializationContext(MessageComponentType.Value, _topic));
                onRecord(key, value);
            }
            read += chunk.Count;
            if (chunk.Count < ChunkSize)
            {
                return read;
            }
        }
    }

    private const int ChunkSize = 10_000;

    /// <summary>Up to <see cref="ChunkSize"/> raw records, fewer only when every partition is at its mark (blocking).</summary>
    private List<(string Key, byte[]? Value)> FetchChunk(Dictionary<TopicPartition, WatermarkOffsets> marks, TimeSpan timeout, int readBefore, CancellationToken ct)
    {
        var chunk = new List<(string, byte[]?)>();
        var deadline = DateTime.UtcNow + timeout;
        while (chunk.Count < ChunkSize && _partitions.Any(tp => Next(tp, marks[tp]) < marks[tp].High.Value))
        {
            ct.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"reading {_topic}: no record for {timeout.TotalSeconds:F0} s before its end ({readBefore + chunk.Count} read)");
            }
            if (_consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { IsPartitionEOF: false } result)
            {
                continue;
            }
            chunk.Add((result.Message.Key ?? "", result.Message.Value));
            deadline = DateTime.UtcNow + timeout;
        }
        return chunk;
    }

    /// <summary>The records published since the last catch-up, in partition order.</summary>
    public async Task<List<(string Key, T? Value)>> CatchUpAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var records = new List<(string, T?)>();
        await CatchUpAsync((key, value) => records.Add((key, value)), timeout, ct);
        return records;
    }

    /// <summary>The next offset to read: the consumer's position, or the partition's first offset before any read.</summary>
    private long Next(TopicPartition tp, WatermarkOffsets marks) =>
        _consumer.Position(tp) is { IsSpecial: false } position ? position.Value : marks.Low.Value;

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
