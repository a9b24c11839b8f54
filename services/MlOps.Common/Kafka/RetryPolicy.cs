using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace MlOps.Common.Kafka;

/// <summary>
/// How a batch is retried: transient failures (a dependency is down) retry with capped exponential backoff until
/// they succeed or shutdown; other failures split the batch to find the poison message, which is retried
/// MaxAttempts times on its own and then reported as poison.
/// </summary>
internal sealed partial class RetryPolicy(ConsumerWorkerOptions options, ILogger logger)
{
    public async Task<IReadOnlyList<PoisonMessage>> RunAsync(
        IKafkaBatchHandler handler, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        var failures = 0;
        var transientFailures = 0;
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
                    await Task.Delay(Backoff(++transientFailures), ct);
                    continue;
                }
                if (batch.Count > 1)
                {
                    ConsumerMetrics.Retries.WithLabels(options.Name, "isolate").Inc();
                    return await IsolateAsync(handler, batch, ct);
                }
                if (++failures >= options.MaxAttempts)
                {
                    return [new PoisonMessage(batch[0], $"{ex.GetType().Name}: {ex.Message} (after {failures} attempts)", ex)];
                }
                await Task.Delay(Backoff(failures), ct);
            }
        }
    }

    /// <summary>Retries an operation whose failures are all treated as transient (e.g. writing a dead letter).</summary>
    public async Task RunTransientAsync(Func<Task> operation, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await operation();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTransient(options.Name, ex.GetType().Name, ex.Message);
                await Task.Delay(Backoff(attempt), ct);
            }
        }
    }

    private async Task<IReadOnlyList<PoisonMessage>> IsolateAsync(
        IKafkaBatchHandler handler, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        var poison = new List<PoisonMessage>();
        foreach (var message in batch)
        {
            poison.AddRange(await RunAsync(handler, [message], ct));
        }
        return poison;
    }

    private TimeSpan Backoff(int attempt)
    {
        var millis = options.RetryBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        return TimeSpan.FromMilliseconds(Math.Min(millis, options.MaxRetryBackoff.TotalMilliseconds));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} transient failure {Type}: {Error}; retrying")]
    private partial void LogTransient(string worker, string type, string error);
}
