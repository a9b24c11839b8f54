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

    public void Dispose()
    {
        var remaining = Client.Flush(FlushTimeout);
        if (remaining > 0)
        {
            LogUndelivered(remaining, FlushTimeout);
        }
        Client.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer error {Code}: {Reason}")]
    private partial void LogProducerError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka producer closed with {Count} undelivered messages after {Timeout}")]
    private partial void LogUndelivered(int count, TimeSpan timeout);
}
