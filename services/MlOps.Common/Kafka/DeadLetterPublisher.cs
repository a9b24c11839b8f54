using System.Globalization;
using System.Text;
using Confluent.Kafka;
using MlOps.Contracts;

namespace MlOps.Common.Kafka;

/// <summary>Writes poison messages, byte for byte, to <c>&lt;topic&gt;.dlq</c> with the reason in headers.</summary>
public sealed class DeadLetterPublisher(KafkaProducer producer, TimeProvider clock)
{
    /// <summary>Longest reason kept in a header; exception messages can embed whole payloads.</summary>
    public const int MaxReasonLength = 1024;

    public async Task PublishAsync(PoisonMessage poison, string consumerGroup, CancellationToken ct)
    {
        var source = poison.Message;
        var headers = new Headers();
        foreach (var header in source.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }
        Add(headers, DeadLetterHeaders.Reason, Truncate(poison.Reason));
        Add(headers, DeadLetterHeaders.ExceptionType, poison.Error?.GetType().FullName ?? "none");
        Add(headers, DeadLetterHeaders.SourceTopic, source.Topic);
        Add(headers, DeadLetterHeaders.SourcePartition, source.Partition.Value.ToString(CultureInfo.InvariantCulture));
        Add(headers, DeadLetterHeaders.SourceOffset, source.Offset.Value.ToString(CultureInfo.InvariantCulture));
        Add(headers, DeadLetterHeaders.ConsumerGroup, consumerGroup);
        Add(headers, DeadLetterHeaders.FailedAt, clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));

        var message = new Message<byte[]?, byte[]?>
        {
            Key = source.Message.Key,
            Value = source.Message.Value,
            Headers = headers,
            Timestamp = source.Message.Timestamp,
        };
        await producer.ProduceAsync(source.Topic + TopicCatalog.DeadLetterSuffix, message, ct);
    }

    private static void Add(Headers headers, string key, string value) => headers.Add(key, Encoding.UTF8.GetBytes(value));

    private static string Truncate(string reason) =>
        reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength] + "…";
}
