using Confluent.Kafka;

namespace MlOps.Benchmarks;

/// <summary>
/// The baseline: raw librdkafka consume → produce of the same bytes, with the same at-least-once shape as a service
/// (batch, produce, wait for acknowledgements, commit). Whatever a service does beyond this is its own cost.
/// </summary>
internal sealed class PassThrough : IDisposable
{
    public const string InputTimestampHeader = "bench.in.ts";
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly string _output;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _forwarded;

    public PassThrough(string bootstrap, string input, string output, bool fromLatest = false)
    {
        _output = output;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "bench-passthrough-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = fromLatest ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            EnableAutoOffsetStore = false,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            FetchWaitMaxMs = InProcessIngestion.FetchWaitMaxMs,
        }).Build();
        _producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            LingerMs = 5,
            CompressionType = CompressionType.Lz4,
        }).Build();
        _consumer.Subscribe(input);
        _thread = new Thread(Run) { IsBackground = true, Name = "bench-passthrough" };
        _thread.Start();
    }

    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>True once the group has given this consumer its partitions (read from the consume thread's view).</summary>
    public bool Assigned => Volatile.Read(ref _assigned);

    private bool _assigned;

    private void Run()
    {
        var batch = new List<ConsumeResult<byte[]?, byte[]?>>(500);
        while (!_stop.IsCancellationRequested)
        {
            Volatile.Write(ref _assigned, _consumer.Assignment.Count > 0);
            batch.Clear();
            while (batch.Count < 500 && _consumer.Consume(TimeSpan.FromMilliseconds(batch.Count == 0 ? 100 : 5)) is { } result)
            {
                batch.Add(result);
            }
            if (batch.Count == 0)
            {
                continue;
            }
            var pending = 0;
            using var done = new ManualResetEventSlim();
            foreach (var message in batch)
            {
                var headers = new Headers { { InputTimestampHeader, BitConverter.GetBytes(message.Message.Timestamp.UnixTimestampMs) } };
                Interlocked.Increment(ref pending);
                _producer.Produce(_output, new Message<byte[]?, byte[]?> { Key = message.Message.Key, Value = message.Message.Value, Headers = headers }, _ =>
                {
                    if (Interlocked.Decrement(ref pending) == 0)
                    {
                        done.Set();
                    }
                });
            }
            _producer.Flush(TimeSpan.FromSeconds(30));
            done.Wait(TimeSpan.FromSeconds(30));
            foreach (var last in batch.GroupBy(m => m.TopicPartition).Select(g => g.MaxBy(m => m.Offset.Value)!))
            {
                _consumer.StoreOffset(last);
            }
            _consumer.Commit();
            Interlocked.Add(ref _forwarded, batch.Count);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _consumer.Close();
        _consumer.Dispose();
        _producer.Dispose();
        _stop.Dispose();
    }
}
