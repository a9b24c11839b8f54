using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace MlOps.Common.Kafka;

/// <summary>
/// At-least-once consumer loop on a thread of its own: fill a batch, make its effects durable (handler + dead
/// letters), then store and commit the offsets. Poison messages never block a partition: after
/// <see cref="ConsumerWorkerOptions.MaxAttempts"/> they go to the dead-letter topic with the reason. A batch whose
/// failures stay transient past <see cref="ConsumerWorkerOptions.MaxTransientRetry"/> is rewound and re-read, so the
/// consumer keeps polling and keeps its group membership. On shutdown the batch in progress is finished, its
/// offsets committed and the consumer closed.
/// </summary>
public sealed partial class KafkaConsumerWorker : BackgroundService
{
    private readonly ConsumerWorkerOptions _options;
    private readonly KafkaOptions _kafka;
    private readonly IKafkaBatchHandler _handler;
    private readonly DeadLetterPublisher _deadLetters;
    private readonly ILogger<KafkaConsumerWorker> _logger;
    private readonly List<ConsumeResult<byte[]?, byte[]?>> _batch = [];
    private readonly RetryPolicy _retry;
    // Oldest first; at most MaxInFlight with OverlapBatches, else empty.
    private readonly List<InFlight> _inFlight = [];
    private const int MaxInFlight = 2;

    /// <summary>A batch whose effects are being made durable while the next one is consumed and prepared.</summary>
    private sealed record InFlight(List<ConsumeResult<byte[]?, byte[]?>> Batch, Task<bool> Done);

    public KafkaConsumerWorker(
        ConsumerWorkerOptions options, KafkaOptions kafka, IKafkaBatchHandler handler,
        DeadLetterPublisher deadLetters, ILogger<KafkaConsumerWorker> logger, TimeProvider? clock = null)
    {
        options.Validate();
        _options = options;
        _kafka = kafka;
        _handler = handler;
        _deadLetters = deadLetters;
        _logger = logger;
        _retry = new RetryPolicy(options, logger, clock ?? TimeProvider.System);
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
        LogStarted(_options.Name, string.Join(",", _options.Topics), _options.GroupId);
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
                if (ProcessBatchAsync(_batch, null, drain.Token).GetAwaiter().GetResult())
                {
                    StoreAndCommit(consumer, _batch);
                }
                else
                {
                    Rewind(consumer, _batch);
                }
                _batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            LogAbandoned(_options.Name, _batch.Count);
        }
        finally
        {
            try
            {
                // Batches in flight finish (within DrainTimeout) and their offsets go out with Close().
                FinishAll(consumer);
            }
            catch (OperationCanceledException)
            {
                LogAbandoned(_options.Name, _inFlight.Sum(f => f.Batch.Count));
            }
            Close(consumer);
        }
    }

    /// <summary>
    /// With <see cref="ConsumerWorkerOptions.OverlapBatches"/>: the batch just consumed is prepared while up to
    /// <see cref="MaxInFlight"/> earlier ones are still completing (a two-stage handler orders their stages: a
    /// batch's effects start only after the one before applied its own); then the oldest is finished if the window
    /// is full (offsets stored in order) and this one started. A batch the handler could not prepare is handled
    /// whole, alone: after every earlier one and before any later one. If a batch has to be re-read, so do all after it (they are rewound to
    /// their first offsets together).
    /// </summary>
    private void OverlapNext(IConsumer<byte[]?, byte[]?> consumer, CancellationToken drain)
    {
        if (_batch.Count == 0)
        {
            // Idle: FillBatch returned because the oldest in flight is done.
            if (FinishOldest(consumer) is { } idleFailed)
            {
                RewindOverlapped(consumer, idleFailed);
            }
            return;
        }
        var batch = new List<ConsumeResult<byte[]?, byte[]?>>(_batch);
        _batch.Clear();
        var prepared = Prepare(batch, drain);
        List<ConsumeResult<byte[]?, byte[]?>>? failed = null;
        if (prepared is null)
        {
            failed = FinishAll(consumer);
        }
        while (failed is null && _inFlight.Count >= MaxInFlight)
        {
            failed = FinishOldest(consumer);
        }
        if (failed is not null)
        {
            RewindOverlapped(consumer, [.. failed, .. batch]);
            return;
        }
        // Started on this thread: the handler's synchronous start (where it queues behind the batch before) runs in order.
        _inFlight.Add(new InFlight(batch, ProcessBatchAsync(batch, prepared, drain)));
        if (prepared is null && FinishAll(consumer) is { } wholeFailed)
        {
            // Handled whole, the batch is outside the handler's stage chain: a later batch started now could apply
            // first (moving a fence past it, so its retry would skip its events as already applied). It finishes,
            // retries included, before the next batch is prepared.
            RewindOverlapped(consumer, wholeFailed);
        }
    }

    /// <summary>Rewinds batches abandoned together (none is running any more) and tells a two-stage handler.</summary>
    private void RewindOverlapped(IConsumer<byte[]?, byte[]?> consumer, List<ConsumeResult<byte[]?, byte[]?>> batches)
    {
        (_handler as IKafkaTwoStageBatchHandler)?.Reset();
        Rewind(consumer, batches);
    }

    /// <summary>Finishes every batch in flight, oldest first; returns what must be re-read, if anything.</summary>
    private List<ConsumeResult<byte[]?, byte[]?>>? FinishAll(IConsumer<byte[]?, byte[]?> consumer)
    {
        while (_inFlight.Count > 0)
        {
            if (FinishOldest(consumer) is { } failed)
            {
                return failed;
            }
        }
        return null;
    }

    /// <summary>
    /// Waits for the oldest batch in flight and stores its offsets; if it must be re-read, waits for the later ones
    /// too and returns them all (not yet rewound), since their effects may rest on it.
    /// </summary>
    private List<ConsumeResult<byte[]?, byte[]?>>? FinishOldest(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_inFlight.Count == 0)
        {
            return null;
        }
        var oldest = _inFlight[0];
        // Blocks this thread, which exists to run the consume loop; a failure of the task propagates as before.
        var done = oldest.Done.GetAwaiter().GetResult();
        _inFlight.RemoveAt(0);
        if (done)
        {
            StoreAndCommit(consumer, oldest.Batch);
            return null;
        }
        var failed = new List<ConsumeResult<byte[]?, byte[]?>>(oldest.Batch);
        foreach (var later in _inFlight)
        {
            later.Done.GetAwaiter().GetResult();
            failed.AddRange(later.Batch);
        }
        _inFlight.Clear();
        return failed;
    }

    private object? Prepare(List<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        if (_handler is not IKafkaTwoStageBatchHandler twoStage)
        {
            return null;
        }
        try
        {
            return twoStage.PrepareAsync(batch, ct).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Handled whole (with the retry policy) instead.
            LogPrepareFailed(_options.Name, batch.Count, ex.GetType().Name, ex.Message);
            return null;
        }
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer() =>
        new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(_kafka, _options.GroupId))
            .SetErrorHandler((_, e) => LogKafkaError(_options.Name, e.Code, e.Reason))
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
        if (FinishAll(consumer) is { } failed)
        {
            RewindOverlapped(consumer, [.. failed, .. _batch]);
            _batch.Clear();
        }
        var gone = partitions.ToHashSet();
        ConsumerMetrics.PartitionsRevoked.WithLabels(_options.Name).Inc(gone.Count);
        _batch.RemoveAll(m => gone.Contains(m.TopicPartition));
    }

    private void FillBatch(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stopping)
    {
        var poll = TimeSpan.FromMilliseconds(100);
        DateTime? deadline = null;
        while (_batch.Count < _options.MaxBatchSize && !stopping.IsCancellationRequested)
        {
            var wait = deadline is null ? poll : deadline.Value - DateTime.UtcNow;
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
                LogKafkaError(_options.Name, ex.Error.Code, ex.Error.Reason);
                return;
            }
            if (result is null || result.IsPartitionEOF)
            {
                if (deadline is not null || _batch.Count > 0 || _inFlight is [{ Done.IsCompleted: true }, ..])
                {
                    return;
                }
                // While a batch is in flight and nothing arrives, poll briefly so that it is finished promptly.
                poll = _inFlight.Count == 0 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromMilliseconds(2);
                continue;
            }
            _batch.Add(result);
            deadline ??= DateTime.UtcNow + _options.MaxBatchWait;
        }
    }

    /// <summary>True when the batch's effects and dead letters are durable; false when it must be re-read.</summary>
    private async Task<bool> ProcessBatchAsync(List<ConsumeResult<byte[]?, byte[]?>> batch, object? prepared, CancellationToken ct)
    {
        using var timer = ConsumerMetrics.BatchDuration.WithLabels(_options.Name).NewTimer();
        try
        {
            IReadOnlyList<PoisonMessage>? poison = null;
            if (prepared is not null)
            {
                try
                {
                    poison = await ((IKafkaTwoStageBatchHandler)_handler).CompleteAsync(prepared, ct);
                }
                catch (KafkaBatchAbandonedException ex)
                {
                    // The batch before failed: this one is re-read after it, never retried ahead of it.
                    LogRewinding(_options.Name, batch.Count, ex.Message);
                    return false;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    LogPreparedFailed(_options.Name, batch.Count, ex.GetType().Name, ex.Message);
                }
            }
            poison ??= await _retry.RunAsync(_handler, batch, ct);
            foreach (var message in poison)
            {
                await DeadLetterAsync(message, ct);
            }
            var poisoned = poison.Select(p => p.Message).ToHashSet();
            foreach (var group in batch.Where(m => !poisoned.Contains(m)).GroupBy(m => m.Topic))
            {
                ConsumerMetrics.Messages.WithLabels(_options.Name, group.Key, "processed").Inc(group.Count());
            }
            return true;
        }
        catch (TransientRetryExhaustedException ex)
        {
            ConsumerMetrics.Retries.WithLabels(_options.Name, "rewind").Inc();
            LogRewinding(_options.Name, batch.Count, ex.InnerException?.Message ?? ex.Message);
            return false;
        }
    }

    private async Task DeadLetterAsync(PoisonMessage message, CancellationToken ct)
    {
        var source = message.Message;
        LogDeadLettered(_options.Name, source.Topic, source.Partition.Value, source.Offset.Value, message.Reason);
        try
        {
            await _retry.RunTransientAsync(() => _deadLetters.PublishAsync(message, _options.GroupId, ct), ct);
            ConsumerMetrics.Messages.WithLabels(_options.Name, source.Topic, "dead_lettered").Inc();
        }
        catch (KafkaException ex) when (!TransientErrors.IsTransient(ex))
        {
            // The broker refuses even the value-less dead letter: say so loudly, and do not block the partition.
            // The original stays readable at its source offset until retention removes it.
            ConsumerMetrics.Messages.WithLabels(_options.Name, source.Topic, "dead_letter_failed").Inc();
            LogDeadLetterFailed(ex, _options.Name, source.Topic, source.Partition.Value, source.Offset.Value);
        }
    }

    /// <summary>Seeks each partition of an abandoned batch back to its first message, so it is read again.</summary>
    private void Rewind(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch)
    {
        foreach (var first in batch.GroupBy(m => m.TopicPartition).Select(g => g.MinBy(m => m.Offset.Value)!))
        {
            try
            {
                consumer.Seek(first.TopicPartitionOffset);
            }
            catch (KafkaException ex)
            {
                // No longer assigned: the new owner starts from the committed offset anyway.
                LogKafkaError(_options.Name, ex.Error.Code, ex.Error.Reason);
            }
        }
    }

    private void StoreAndCommit(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch)
    {
        foreach (var last in batch.GroupBy(m => m.TopicPartition).Select(g => g.MaxBy(m => m.Offset.Value)!))
        {
            try
            {
                consumer.StoreOffset(last);
            }
            catch (KafkaException ex)
            {
                // Revoked between processing and storing: the new owner reprocesses (a duplicate, never a loss).
                LogKafkaError(_options.Name, ex.Error.Code, ex.Error.Reason);
            }
        }
        if (!_options.CommitEveryBatch)
        {
            return;
        }
        try
        {
            consumer.Commit();
        }
        catch (KafkaException ex) when (!ex.Error.IsFatal)
        {
            // Nothing stored, a rebalance in progress, or the coordinator moving: the stored offsets go out with
            // the next commit, the auto-commit interval or Close().
            if (ex.Error.Code != ErrorCode.Local_NoOffset)
            {
                LogCommitDeferred(_options.Name, ex.Error.Code);
            }
        }
    }

    /// <summary>Close() commits what was stored and leaves the group at once, so partitions move without waiting.</summary>
    private void Close(IConsumer<byte[]?, byte[]?> consumer)
    {
        try
        {
            consumer.Close();
            LogStopped(_options.Name);
        }
        catch (KafkaException ex)
        {
            LogKafkaError(_options.Name, ex.Error.Code, "close: " + ex.Error.Reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Worker} started on {Topics} as group {Group}")]
    private partial void LogStarted(string worker, string topics, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Worker} stopped and committed")]
    private partial void LogStopped(string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} stopped with {Count} messages unfinished; they will be redelivered")]
    private partial void LogAbandoned(string worker, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} Kafka error {Code}: {Reason}")]
    private partial void LogKafkaError(string worker, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Consumer {Worker} commit deferred: {Code}")]
    private partial void LogCommitDeferred(string worker, ErrorCode code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}")]
    private partial void LogDeadLettered(string worker, string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Consumer {Worker} could not dead-letter {Topic}[{Partition}]@{Offset}; skipped, the original stays at its offset")]
    private partial void LogDeadLetterFailed(Exception error, string worker, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} could not prepare a batch of {Count} ({Type}: {Error}); handling it whole")]
    private partial void LogPrepareFailed(string worker, int count, string type, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} prepared batch of {Count} failed ({Type}: {Error}); retrying it whole")]
    private partial void LogPreparedFailed(string worker, int count, string type, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} gives up {Count} messages after transient failures ({Error}); re-reading them")]
    private partial void LogRewinding(string worker, int count, string error);
}
