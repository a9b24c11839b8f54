namespace MlOps.Contracts;

/// <summary>How a topic's log is kept.</summary>
public enum CleanupPolicy
{
    Delete,
    Compact,
}

/// <summary>
/// One Kafka topic: its name, partition count, what its key holds, its value contract and how long data stays.
/// <paramref name="ValueType"/> is the Avro contract type, or null for a dead-letter topic, whose values are the
/// poison input's raw bytes (the reason travels in headers, as with Kafka Connect's DLQ).
/// </summary>
public sealed record TopicSpec(
    string Name,
    int Partitions,
    string Key,
    Type? ValueType,
    CleanupPolicy Cleanup,
    TimeSpan? Retention,
    string Description)
{
    /// <summary>Schema Registry subject of the value (TopicNameStrategy).</summary>
    public string ValueSubject => Name + "-value";

    /// <summary>The dead-letter topic of a consumed topic.</summary>
    public string DeadLetterTopic => Name + TopicCatalog.DeadLetterSuffix;

    public bool IsDeadLetter => Name.EndsWith(TopicCatalog.DeadLetterSuffix, StringComparison.Ordinal);
}
