using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static MlOps.Common.Kafka.ConsumerWorkerLog;

namespace MlOps.Common.Kafka;

/// <summary>
/// At-least-once consumer loop on a thread of its own: fill a batch, make its effects durable (handler + dead
/// letters), then store and commit the offsets. Poison messages never block a partition: after
/// <see cref="ConsumerWorkerOptions.MaxAttempts"/> they go to the dead-letter topic with the reason. A batch whose
/// failures stay transient past <see cref="ConsumerWorkerOptions.MaxTransientRetry"/> is rewound and re-read, so the
/// consumer keeps polling and keeps its group membership. On shutdown the batch in progress is finished, its
/// offsets committed and the consumer closed.
/// </summary>
/// <remarks>
/// The loop, its batch and the rebalance callbacks live here; making a batch durable is <see cref="BatchProcessor"/>'s,
/// storing and rewinding offsets <see cref="ConsumerOffsets"/>'s, and the batches in flight with
/// <see cref="ConsumerWorkerOptions.OverlapBatches"/> <see cref="OverlappedBatches"/>'s. All of them run on the
/// consumer thread.
/// </remarks>
public sealed class KafkaConsumerWorker : BackgroundService
{
    private readonly ConsumerWorkerOptions _options;
    private readonly KafkaOptions _kafka;
    private readonly ILogger<KafkaConsumerWorker> _logger;
    private readonly List<ConsumeResult<byte[]?, byte[]?>> _batch = [];
    private readonly BatchProcessor _processor;
    private readonly ConsumerOffsets _offsets;
    private readonly OverlappedBatches _inFlight;

    public KafkaConsumerWorker(
        ConsumerWorkerOptions options, KafkaOptions kafka, IKafkaBatchHandler handler,
        DeadLetterPublisher deadLetters, ILogger<KafkaConsumerWorker> logger, TimeProvider? clock = null)
    {
        options.Validate();
        _options = options;
        _kafka = kafka;
        _logger = logger;
        _processor = new BatchProcessor(options, handler, deadLetters, logger, clock ?? TimeProvider.System);
        _offsets = new ConsumerOffsets(options, logger);
        _inFlight = new OverlappedBatches(handler, _processor, _offsets);
    }

    /// <summary>
    /// Consume() blocks and rebalance callbacks run inside it, so the loop owns a dedicated thread (as in Confluent's
    /// examples) instead of holding thread-pool threads that ASP.NET and Redis need.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                completion.SetResult();
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "kafka-consumer-" + _options.Name,
        };
        thread.Start();
        return completion.Task;
    }

    private void Run(CancellationToken stopping)
    {
        using var consumer = BuildConsumer();
        // Effects of a started batch may finish after stop is requested, up to DrainTimeout.
        using var drain = new CancellationTokenSource();
        using var onStop = stopping.Register(() => drain.CancelAfter(_options.DrainTimeout));
        consumer.Subscribe(_options.Topics);
        LogStarted(_logger, _options.Name, string.Join(",", _options.Topics), _options.GroupId);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                FillBatch(consumer, stopping);
                if (_options.OverlapBatches)
                {
                    OverlapNext(consumer, drain.Token);
                    continue;
                }
                if (_batch.Count == 0)
                {
                    continue;
                }
                // The one place that blocks on a task: this thread exists to run the consume loop.
                if (_processor.ProcessBatchAsync(_batch, null, drain.Token).GetAwaiter().GetResult())
                {
                    _offsets.StoreAndCommit(consumer, _batch);
                }
                else
                {
                    _offsets.Rewind(consumer, _batch);
                }
                _batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            LogAbandoned(_logger, _options.Name, _batch.Count);
        }
        finally
        {
            try
            {
                // Batches in flight finish (within DrainTimeout) and their offsets go out with Close().
                _inFlight.FinishAll(consumer);
            }
            catch (OperationCanceledException)
            {
                LogAbandoned(_logger, _options.Name, _inFlight.PendingMessages);
            }
            Close(consumer);
        }
    }

    /// <summary>
    /// With <see cref="ConsumerWorkerOptions.OverlapBatches"/>: hands the batch just consumed to
    /// <see cref="OverlappedBatches.Start"/>, or, when none was, finishes the oldest in flight.
    /// </summary>
    private void OverlapNext(IConsumer<byte[]?, byte[]?> consumer, CancellationToken drain)
    {
        if (_batch.Count == 0)
        {
            // Idle: FillBatch returned because the oldest in flight is done.
            _inFlight.FinishIdle(consumer);
            return;
        }
        var batch = new List<ConsumeResult<byte[]?, byte[]?>>(_batch);
        _batch.Clear();
        _inFlight.Start(consumer, batch, drain);
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer() =>
        new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(_kafka, _options.GroupId))
            .SetErrorHandler((_, e) => LogKafkaError(_logger, _options.Name, e.Code, e.Reason))
            .SetPartitionsRevokedHandler((c, revoked) => ForgetPartitions(c, revoked.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((c, lost) => ForgetPartitions(c, lost.Select(p => p.TopicPartition)))
            .Build();

    /// <summary>
    /// Called inside Consume() on this thread, so no batch is being processed except one in flight (with
    /// <see cref="ConsumerWorkerOptions.OverlapBatches"/>), which is finished first so that its offsets are stored
    /// while the partitions are still ours. Messages of partitions we no longer own are dropped unprocessed (their
    /// offsets were not stored; the new owner reads them).
    /// </summary>
    private void ForgetPartitions(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<TopicPartition> partitions)
    {
        if (_inFlight.FinishAll(consumer) is { } failed)
        {
            _inFlight.RewindOverlapped(consumer, [.. failed, .. _batch]);
            _batch.Clear();
        }
        var gone = partitions.ToHashSet();
        ConsumerMetrics.PartitionsRevoked.WithLabels(_options.Name).Inc(gone.Count);
        _batch.RemoveAll(m => gone.Contains(m.TopicPartition));
    }

    private void FillBatch(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stopping)
    {
        var poll = TimeSpan.FromMilliseconds(100);
        // When the batch's first message came, on a monotonic clock: a wall-clock step (NTP) would stretch or cut the
        // batch's wait by the size of the step.
        long? firstAt = null;
        while (_batch.Count < _options.MaxBatchSize && !stopping.IsCancellationRequested)
        {
            var wait = firstAt is null ? poll : _options.MaxBatchWait - Stopwatch.GetElapsedTime(firstAt.Value);
            if (wait <= TimeSpan.Zero)
            {
                return;
            }
            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = consumer.Consume(wait);
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                LogKafkaError(_logger, _options.Name, ex.Error.Code, ex.Error.Reason);
                return;
            }
            if (result is null || result.IsPartitionEOF)
            {
                if (firstAt is not null || _batch.Count > 0 || _inFlight.OldestDone)
                {
                    return;
                }
                // While a batch is in flight and nothing arrives, poll briefly so that it is finished promptly.
                poll = _inFlight.IsEmpty ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromMilliseconds(2);
                continue;
            }
            _batch.Add(result);
            firstAt ??= Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Close() commits what was stored and leaves the group at once, so partitions move without waiting.</summary>
    private void Close(IConsumer<byte[]?, byte[]?> consumer)
    {
        try
        {
            consumer.Close();
            LogStopped(_logger, _options.Name);
        }
        catch (KafkaException ex)
        {
            LogKafkaError(_logger, _options.Name, ex.Error.Code, "close: " + ex.Error.Reason);
        }
    }
}
