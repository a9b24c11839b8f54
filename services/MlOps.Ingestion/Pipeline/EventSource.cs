namespace MlOps.Ingestion.Pipeline;

/// <summary>Where an input came from: a Kafka position, or an HTTP request (by its id).</summary>
public sealed record EventSource(string Kind, string? Topic, int? Partition, long? Offset, string? RequestId)
{
    public static EventSource Kafka(string topic, int partition, long offset) => new("kafka", topic, partition, offset, null);

    public static EventSource Http(string requestId) => new("http", null, null, null, requestId);

    /// <summary>The dedupe claim: replays of the same Kafka position recognise their own claim and go through.</summary>
    public string Claim(int index) => Kind == "kafka" ? $"kafka:{Topic}:{Partition}:{Offset}" : $"http:{RequestId}:{index}";
}
