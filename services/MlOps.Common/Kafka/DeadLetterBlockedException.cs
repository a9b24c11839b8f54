using Confluent.Kafka;

namespace MlOps.Common.Kafka;

/// <summary>
/// The dead-letter topic refused a dead letter for a reason that is not the record's (the topic is missing, the
/// producer may not write to it, or an error not known to be about the record). Nothing about the poison message
/// changes by retrying it, but skipping it would leave it in no topic at all: <see cref="TransientErrors"/> counts
/// this as transient, so the worker retries with backoff and then re-reads the batch instead of committing it,
/// and the partition waits until an operator fixes the topic. A <see cref="KafkaException"/> with the broker's error,
/// so callers that handle Kafka failures already handle it.
/// </summary>
public sealed class DeadLetterBlockedException(string deadLetterTopic, ConsumeResult<byte[]?, byte[]?> source, KafkaException cause)
    : KafkaException(cause.Error, cause)
{
    /// <summary>The topic that refused the dead letter.</summary>
    public string DeadLetterTopic { get; } = deadLetterTopic;

    public override string Message { get; } =
        $"dead-letter topic {deadLetterTopic} refused the dead letter of {source.Topic}[{source.Partition.Value}]@{source.Offset.Value}: {cause.Error.Code}: {cause.Error.Reason}";
}
