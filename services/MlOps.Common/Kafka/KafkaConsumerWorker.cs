using Prometheus;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MlOps.Common.Kafka;

/// <summary>
/// At-least-once consumer loop on its own thread: fill a batch, make its effects durable (handler + dead letters),
/// then store and commit the offsets. Poison messages never block a partition: after
/// <see cref="ConsumerWorkerOptions.MaxAttempts"/> they go to the dead-letter topic with the reason.
/// On shutdown the batch in progress is finished, its offsets committed and the consumer closed.
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

    public KafkaConsumerWorker(
        ConsumerWorkerOptions options, KafkaOptions kafka, IKafkaBatchHandler handler,
        DeadLetterPublisher deadLetters, ILogger<KafkaConsumerWorker> logger)
    {
        options.Validate();
        _options = options;
        _kafka = kafka;
        _handler = handler;
        _deadLetters = deadLetters;
        _logger = logger;
        _retry = new RetryPolicy(options, logger);
    }

    /// <summary>Raised after a batch's offsets were stored (tests and probes observe progress with it).</summary>
    public event Action<IReadOnlyList<ConsumeResult<byte[]?, byte[]?>>>? BatchCommitted;

    // Consume() blocks, so the loop gets a thread of its own instead of a thread-pool thread.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => RunAsync(stoppingToken), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stopping)
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
                if (_batch.Count == 0)
                {
                    continue;
                }
                await ProcessBatchAsync(drain.Token);
                StoreAndCommit(consumer);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            LogAbandoned(_options.Name, _batch.Count);
        }
        finally
        {
            // Close() commits what was stored and leaves the group at once, so partitions move without waiting
            // for the session timeout.
            consumer.Close();
            LogStopped(_options.Name);
        }
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer() =>
        new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(_kafka, _options.GroupId))
            .SetErrorHandler((_, e) => LogKafkaError(_options.Name, e.Code, e.Reason))
            .SetPartitionsRevokedHandler((_, revoked) => ForgetPartitions(revoked.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((_, lost) => ForgetPartitions(lost.Select(p => p.TopicPartition)))
            .Build();

    /// <summary>
    /// Called inside Consume() on this thread, so no batch is being processed: messages of partitions we no
    /// longer own are dropped unprocessed (their offsets were not stored; the new owner reads them).
    /// </summary>
    private void ForgetPartitions(IEnumerable<TopicPartition> partitions)
    {
        var gone = partitions.ToHashSet();
        ConsumerMetrics.Rebalances.WithLabels(_options.Name).Inc(gone.Count);
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
                if (deadline is not null || _batch.Count > 0)
                {
                    return;
                }
                continue;
            }
            _batch.Add(result);
            deadline ??= DateTime.UtcNow + _options.MaxBatchWait;
        }
    }

    private async Task ProcessBatchAsync(CancellationToken ct)
    {
        using var timer = ConsumerMetrics.BatchDuration.WithLabels(_options.Name).NewTimer();
        var poison = await _retry.RunAsync(_handler, _batch, ct);
        foreach (var message in poison)
        {
            LogDeadLettered(_options.Name, message.Message.Topic, message.Message.Partition.Value, message.Message.Offset.Value, message.Reason);
            await _retry.RunTransientAsync(() => _deadLetters.PublishAsync(message, _options.GroupId, ct), ct);
            ConsumerMetrics.Messages.WithLabels(_options.Name, message.Message.Topic, "dead_lettered").Inc();
        }
        foreach (var group in _batch.GroupBy(m => m.Topic))
        {
            ConsumerMetrics.Messages.WithLabels(_options.Name, group.Key, "processed").Inc(group.Count());
        }
    }

    private void StoreAndCommit(IConsumer<byte[]?, byte[]?> consumer)
    {
        foreach (var last in _batch.GroupBy(m => m.TopicPartition).Select(g => g.MaxBy(m => m.Offset.Value)!))
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
        if (_options.CommitEveryBatch)
        {
            try
            {
                consumer.Commit();
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
            {
                // Nothing stored since the last commit.
            }
        }
        var committed = _batch.ToArray();
        _batch.Clear();
        BatchCommitted?.Invoke(committed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Worker} started on {Topics} as group {Group}")]
    private partial void LogStarted(string worker, string topics, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Worker} stopped and committed")]
    private partial void LogStopped(string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} stopped with {Count} messages unfinished; they will be redelivered")]
    private partial void LogAbandoned(string worker, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} Kafka error {Code}: {Reason}")]
    private partial void LogKafkaError(string worker, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}")]
    private partial void LogDeadLettered(string worker, string topic, int partition, long offset, string reason);
}
