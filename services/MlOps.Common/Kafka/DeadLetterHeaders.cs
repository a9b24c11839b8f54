namespace MlOps.Common.Kafka;

/// <summary>Headers a dead-lettered message carries (the original headers are kept too), after Kafka Connect's DLQ.</summary>
public static class DeadLetterHeaders
{
    public const string Reason = "mlops.dlq.reason";
    public const string ExceptionType = "mlops.dlq.exception";
    public const string SourceTopic = "mlops.dlq.source.topic";
    public const string SourcePartition = "mlops.dlq.source.partition";
    public const string SourceOffset = "mlops.dlq.source.offset";
    public const string SourceTimestamp = "mlops.dlq.source.timestamp";
    public const string ConsumerGroup = "mlops.dlq.consumer.group";
    public const string FailedAt = "mlops.dlq.failed.at";

    /// <summary>Set when the broker refused the original bytes (e.g. too large): their length and the refusal.</summary>
    public const string ValueDropped = "mlops.dlq.value.dropped";
}
