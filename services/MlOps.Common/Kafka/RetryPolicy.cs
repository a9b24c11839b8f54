using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace MlOps.Common.Kafka;

/// <summary>
/// How a batch is retried. Transient failures (a dependency is down) retry with capped exponential backoff for up
/// to MaxTransientRetry (one budget per batch, however it is split), then the batch is given up to be re-read (never
/// dead-lettered). Other failures split the
/// batch to find the poison message, which is retried MaxAttempts times on its own and then reported as poison.
/// </summary>
internal sealed partial class RetryPolicy(ConsumerWorkerOptions options, ILogger logger, TimeProvider clock)
{
    public Task<IReadOnlyList<PoisonMessage>> RunAsync(
        IKafkaBatchHandler handler, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct) =>
        RunAsync(handler, batch, new TransientBudget(options, clock), ct);

    /// <param name="transient">
    /// The batch's one budget for transient failures, shared by the messages it is split into: a budget per message
    /// let a 500-message batch wait out a flapping dependency for hours, far past the consumer's poll interval.
    /// </param>
    private async Task<IReadOnlyList<PoisonMessage>> RunAsync(
        IKafkaBatchHandler handler, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, TransientBudget transient, CancellationToken ct)
    {
        var failures = 0;
        while (true)
        {
            try
            {
                return await handler.HandleAsync(batch, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (TransientErrors.IsTransient(ex))
                {
                    ConsumerMetrics.Retries.WithLabels(options.Name, "transient").Inc();
                    LogTransient(options.Name, ex.GetType().Name, ex.Message);
                    await transient.WaitOrThrowAsync(ex, ct);
                    continue;
                }
                if (batch.Count > 1)
                {
                    ConsumerMetrics.Retries.WithLabels(options.Name, "isolate").Inc();
                    return await IsolateAsync(handler, batch, transient, ct);
                }
                if (++failures >= options.MaxAttempts)
                {
                    return [new PoisonMessage(batch[0], $"{ex.GetType().Name}: {ex.Message} (after {failures} attempts)", ex)];
                }
                await Task.Delay(Backoff(options, failures), clock, ct);
            }
        }
    }

    /// <summary>Retries an operation while its failures are transient, within the same time budget.</summary>
    public async Task RunTransientAsync(Func<Task> operation, CancellationToken ct)
    {
        var transient = new TransientBudget(options, clock);
        while (true)
        {
            try
            {
                await operation();
                return;
            }
            catch (Exception ex) when (TransientErrors.IsTransient(ex) && !ct.IsCancellationRequested)
            {
                LogTransient(options.Name, ex.GetType().Name, ex.Message);
                await transient.WaitOrThrowAsync(ex, ct);
            }
        }
    }

    private async Task<IReadOnlyList<PoisonMessage>> IsolateAsync(
        IKafkaBatchHandler handler, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, TransientBudget transient, CancellationToken ct)
    {
        var poison = new List<PoisonMessage>();
        foreach (var message in batch)
        {
            poison.AddRange(await RunAsync(handler, [message], transient, ct));
        }
        return poison;
    }

    internal static TimeSpan Backoff(ConsumerWorkerOptions options, int attempt)
    {
        var millis = options.RetryBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        return TimeSpan.FromMilliseconds(Math.Min(millis, options.MaxRetryBackoff.TotalMilliseconds));
    }

    /// <summary>Backoff between transient failures, until MaxTransientRetry is spent.</summary>
    private sealed class TransientBudget(ConsumerWorkerOptions options, TimeProvider clock)
    {
        private readonly long _started = clock.GetTimestamp();
        private int _attempts;

        public async Task WaitOrThrowAsync(Exception last, CancellationToken ct)
        {
            var delay = Backoff(options, ++_attempts);
            if (clock.GetElapsedTime(_started) + delay > options.MaxTransientRetry)
            {
                throw new TransientRetryExhaustedException(last);
            }
            await Task.Delay(delay, clock, ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} transient failure {Type}: {Error}; retrying")]
    private partial void LogTransient(string worker, string type, string error);
}
