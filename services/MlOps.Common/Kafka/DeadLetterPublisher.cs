using System.Globalization;
using Confluent.Kafka;
using MlOps.Contracts;

namespace MlOps.Common.Kafka;

/// <summary>Writes poison messages, byte for byte, to <c>&lt;topic&gt;.dlq</c> with the reason in headers.</summary>
public sealed class DeadLetterPublisher
{
    private readonly Func<string, Message<byte[]?, byte[]?>, CancellationToken, Task> _produce;
    private readonly TimeProvider _clock;

    public DeadLetterPublisher(KafkaProducer producer, TimeProvider clock)
        : this((topic, message, ct) => producer.ProduceAsync(topic, message, ct), clock)
    {
    }

    /// <summary>For tests: <paramref name="produce"/> completes once the broker acknowledged, or throws as it refused.</summary>
    internal DeadLetterPublisher(Func<string, Message<byte[]?, byte[]?>, CancellationToken, Task> produce, TimeProvider clock)
    {
        _produce = produce;
        _clock = clock;
    }

    /// <summary>Longest reason kept in a header; exception messages can embed whole payloads.</summary>
    public const int MaxReasonLength = 1024;

    /// <summary>
    /// Completes once the dead letter is durable. If the broker refuses the record itself for good (too large, say),
    /// the dead letter is written without the original bytes, with <see cref="DeadLetterHeaders.ValueDropped"/> saying
    /// why; the original still sits at its source offset. Any other lasting refusal (the topic is missing or not
    /// writable, or an error not known to be the record's) throws <see cref="DeadLetterBlockedException"/>: dropping
    /// the value would not help, and going on without the dead letter would lose the poison message.
    /// </summary>
    public async Task PublishAsync(PoisonMessage poison, string consumerGroup, CancellationToken ct)
    {
        var message = Build(poison, consumerGroup);
        var topic = poison.Message.Topic + TopicCatalog.DeadLetterSuffix;
        try
        {
            try
            {
                await _produce(topic, message, ct);
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (message.Value is not null && IsRecordRefused(ex.Error.Code))
            {
                message.Headers.AddUtf8(DeadLetterHeaders.ValueDropped,
                    $"{message.Value.Length} bytes refused: {ex.Error.Code}");
                message.Value = null;
                await _produce(topic, message, ct);
            }
        }
        catch (KafkaException ex) when (!TransientErrors.IsTransient(ex))
        {
            throw new DeadLetterBlockedException(topic, poison.Message, ex);
        }
    }

    /// <summary>
    /// Errors about this record alone, which a record without the original value may get past. Everything else is
    /// taken to be about the topic or the client, which no change to the record fixes.
    /// </summary>
    internal static bool IsRecordRefused(ErrorCode code) => code is
        ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidMsgSize
        or ErrorCode.InvalidRecord or ErrorCode.InvalidMsg or ErrorCode.Local_BadMsg;

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
            .AddUtf8(DeadLetterHeaders.FailedAt, _clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
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
