using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Prometheus;
using static MlOps.Common.Kafka.ConsumerWorkerLog;

namespace MlOps.Common.Kafka;

/// <summary>
/// Makes one batch's effects durable for <see cref="KafkaConsumerWorker"/>: the handler (a prepared two-stage
/// batch completed, else handled whole under the <see cref="RetryPolicy"/>), then its poison messages dead-lettered.
/// Offsets are the worker's business: this only says whether the batch may be committed or must be re-read.
/// </summary>
internal sealed class BatchProcessor
{
    private readonly ConsumerWorkerOptions _options;
    private readonly IKafkaBatchHandler _handler;
    private readonly DeadLetterPublisher _deadLetters;
    private readonly ILogger _logger;
    private readonly RetryPolicy _retry;

    public BatchProcessor(
        ConsumerWorkerOptions options, IKafkaBatchHandler handler, DeadLetterPublisher deadLetters, ILogger logger, TimeProvider clock)
    {
        _options = options;
        _handler = handler;
        _deadLetters = deadLetters;
        _logger = logger;
        _retry = new RetryPolicy(options, logger, clock);
    }

    /// <summary>
    /// The first stage of a two-stage handler, on the calling (consumer) thread; null when the handler has one stage
    /// or could not prepare the batch, which is then handled whole.
    /// </summary>
    public object? Prepare(List<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
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
            LogPrepareFailed(_logger, _options.Name, batch.Count, ex.GetType().Name, ex.Message);
            return null;
        }
    }

    /// <summary>True when the batch's effects and dead letters are durable; false when it must be re-read.</summary>
    public async Task<bool> ProcessBatchAsync(List<ConsumeResult<byte[]?, byte[]?>> batch, object? prepared, CancellationToken ct)
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
                    LogRewinding(_logger, _options.Name, batch.Count, ex.Message);
                    return false;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    LogPreparedFailed(_logger, _options.Name, batch.Count, ex.GetType().Name, ex.Message);
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
            LogRewinding(_logger, _options.Name, batch.Count, ex.InnerException?.Message ?? ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Durable dead letter or nothing: a refusal by the dead-letter topic itself is retried like a transient failure
    /// (and, once MaxTransientRetry is spent, the batch is re-read) because storing the offset without the dead letter
    /// would leave the poison message in no topic.
    /// </summary>
    private async Task DeadLetterAsync(PoisonMessage message, CancellationToken ct)
    {
        var source = message.Message;
        await _retry.RunTransientAsync(async () =>
        {
            try
            {
                await _deadLetters.PublishAsync(message, _options.GroupId, ct);
            }
            catch (DeadLetterBlockedException ex)
            {
                ConsumerMetrics.Messages.WithLabels(_options.Name, source.Topic, "dead_letter_blocked").Inc();
                LogDeadLetterBlocked(_logger, ex, _options.Name, ex.DeadLetterTopic, source.Topic, source.Partition.Value, source.Offset.Value, ex.Error.Code);
                throw;
            }
        }, ct);
        ConsumerMetrics.Messages.WithLabels(_options.Name, source.Topic, "dead_lettered").Inc();
        LogDeadLettered(_logger, _options.Name, source.Topic, source.Partition.Value, source.Offset.Value, message.Reason);
    }
}
