using System.Globalization;
using Microsoft.Extensions.Options;
using MlOps.Common.Kafka;

namespace MlOps.Ingestion;

/// <summary>
/// Refuses to start with an <c>Ingestion:ClaimPendingTtl</c> no longer than the producer's message timeout: a write
/// may be acknowledged that late, and a pending claim that expired first would let a copy of the event through
/// before the first one is confirmed (both published).
/// </summary>
public sealed class ClaimPendingTtlValidation(IOptions<KafkaOptions> kafka) : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions options)
    {
        var timeout = ProducerMessageTimeout(kafka.Value);
        return options.ClaimPendingTtl > timeout
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Ingestion:ClaimPendingTtl ({options.ClaimPendingTtl}) must be longer than the producer's message timeout ({timeout}, " +
                "Kafka:Producer:message.timeout.ms), or a claim could expire before its event's write is acknowledged.");
    }

    /// <summary>The producer's message.timeout.ms as configured (delivery.timeout.ms is librdkafka's alias for it).</summary>
    public static TimeSpan ProducerMessageTimeout(KafkaOptions kafka)
    {
        var config = KafkaClientConfigs.Producer(kafka);
        var ms = int.TryParse(config.Get("delivery.timeout.ms"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var alias)
            ? alias
            : config.MessageTimeoutMs ?? (int)KafkaClientConfigs.DefaultMessageTimeout.TotalMilliseconds;
        return TimeSpan.FromMilliseconds(ms);
    }
}
