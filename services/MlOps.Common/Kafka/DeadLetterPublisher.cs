using System.Globalization;
using Confluent.Kafka;
using MlOps.Contracts;

namespace MlOps.Common.Kafka;

/// <summary>Writes poison messages, byte for byte, to <c>&lt;topic&gt;.dlq</c> with the reason in headers.</summary>
public sealed class DeadLetterPublisher(KafkaProducer producer, TimeProvider clock)
{
    /// <summary>Longest reason kept in a header; exception messages can embed whole payloads.</summary>
    public const int MaxReasonLength = 1024;

    /// <summary>
    /// Completes once the dead letter is durable. If the broker refuses the original bytes for good (too large, say),
    /// the dead letter is written without them, with <see cref="DeadLetterHeaders.ValueDropped"/> saying why; the
    /// original still sits at its source offset.
    /// </summary>
    public async Task PublishAsync(PoisonMessage poison, string consumerGroup, CancellationToken ct)
    {
        var message = Build(poison, consumerGroup);
        var topic = poison.Message.Topic + TopicCatalog.DeadLetterSuffix;
        try
        {
            await producer.ProduceAsync(topic, message, ct);
        }
        catch (ProduceException<byte[]?, byte[]?> ex) when (!TransientErrors.IsTransient(ex) && message.Value is not null)
        {
            message.Headers.AddUtf8(DeadLetterHeaders.ValueDropped,
                $"{message.Value.Length} bytes refused: {ex.Error.Code}");
            message.Value = null;
            await producer.ProduceAsync(topic, message, ct);
        }
    }

    private Message<byte[]?, byte[]?> Build(PoisonMessage poison, string consumerGroup)
    {
        var source = poison.Message;
        var headers = new Headers();
        foreach (var header in source.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }
        headers
            .AddUtf8(DeadLetterHeaders.Reason, Truncate(poison.Reason))
            .AddUtf8(DeadLetterHeaders.ExceptionType, poison.Error?.GetType().FullName ?? "none")
            .AddUtf8(DeadLetterHeaders.SourceTopic, source.Topic)
            .AddUtf8(DeadLetterHeaders.SourcePartition, source.Partition.Value.ToString(CultureInfo.InvariantCulture))
            .AddUtf8(DeadLetterHeaders.SourceOffset, source.Offset.Value.ToString(CultureInfo.InvariantCulture))
            .AddUtf8(DeadLetterHeaders.SourceTimestamp, source.Message.Timestamp.UnixTimestampMs.ToString(CultureInfo.InvariantCulture))
            .AddUtf8(DeadLetterHeaders.ConsumerGroup, consumerGroup)
            .AddUtf8(DeadLetterHeaders.FailedAt, clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return new Message<byte[]?, byte[]?>
        {
            Key = source.Message.Key,
            Value = source.Message.Value,
            Headers = headers,
            // A producer may only set CreateTime; a LogAppendTime source keeps its time in the header above.
            Timestamp = source.Message.Timestamp.Type == TimestampType.CreateTime ? source.Message.Timestamp : Timestamp.Default,
        };
    }

    private static string Truncate(string reason) =>
        reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength] + "…";
}
