using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlOps.Common.Kafka;

/// <summary>
/// The process's one idempotent producer (byte keys and values; Avro encoding happens before it).
/// Flushed on dispose so that nothing accepted is lost at shutdown.
/// </summary>
public sealed partial class KafkaProducer : IDisposable
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(15);
    private readonly ILogger<KafkaProducer> _logger;
    private readonly SemaphoreSlim _flushRequested = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _flusherGate = new();
    private Thread? _flusher;
    private int _flushPending;

    public KafkaProducer(IOptions<KafkaOptions> options, ILogger<KafkaProducer> logger)
    {
        _logger = logger;
        Client = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Producer(options.Value))
            .SetErrorHandler((_, error) => LogProducerError(error.Code, error.Reason))
            .Build();
    }

    public IProducer<byte[]?, byte[]?> Client { get; }

    /// <summary>Produces and waits for the broker's acknowledgement: when this returns, the message is durable.</summary>
    public Task<DeliveryResult<byte[]?, byte[]?>> ProduceAsync(string topic, Message<byte[]?, byte[]?> message, CancellationToken ct) =>
        Client.ProduceAsync(topic, message, ct);

    /// <summary>
    /// Asks for what is queued to be sent now rather than after <c>linger.ms</c>, for a caller that has produced a
    /// whole batch and will wait for all of its acknowledgements anyway (linger would only add to that wait).
    /// Returns at once: a background thread runs librdkafka's flush, which ignores linger while it lasts.
    /// </summary>
    public void SendNow()
    {
        EnsureFlusher();
        if (Interlocked.Exchange(ref _flushPending, 1) == 0)
        {
            _flushRequested.Release();
        }
    }

    private void EnsureFlusher()
    {
        if (Volatile.Read(ref _flusher) is not null)
        {
            return;
        }
        lock (_flusherGate)
        {
            if (_flusher is null && !_stopping.IsCancellationRequested)
            {
                var thread = new Thread(FlushLoop) { IsBackground = true, Name = "kafka-producer-flush" };
                thread.Start();
                Volatile.Write(ref _flusher, thread);
            }
        }
    }

    private void FlushLoop()
    {
        try
        {
            while (true)
            {
                _flushRequested.Wait(_stopping.Token);
                Volatile.Write(ref _flushPending, 0);
                // Blocks until everything queued so far is acknowledged or failed; callers see that on their own tasks.
                Client.Flush(FlushTimeout);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        lock (_flusherGate)
        {
            _stopping.Cancel();
        }
        var remaining = Client.Flush(FlushTimeout);
        if (remaining > 0)
        {
            LogUndelivered(remaining, FlushTimeout);
        }
        _flusher?.Join(FlushTimeout);
        Client.Dispose();
        _flushRequested.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer error {Code}: {Reason}")]
    private partial void LogProducerError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka producer closed with {Count} undelivered messages after {Timeout}")]
    private partial void LogUndelivered(int count, TimeSpan timeout);
}
