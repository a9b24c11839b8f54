using Confluent.Kafka;
using MlOps.Common.Avro;
using MlOps.Common.Kafka;
using MlOps.Contracts;
using MlOps.Features.Store;

namespace MlOps.Features;

/// <summary>
/// Decodes a batch from mlops.events.validated and splits it by source partition (in the order the partitions first
/// appear), keeping each partition's newest trace; a record that does not decode is returned as poison.
/// </summary>
internal static class ValidatedBatchDecoder
{
    public static async Task<(List<PoisonMessage> Poison, List<PartitionBatch> Partitions)> DecodeAsync(
        GuardedAvroDeserializer<EventEnvelope> deserializer, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        var poison = new List<PoisonMessage>();
        var partitions = new List<PartitionBatch>();
        PartitionBatch? current = null;
        foreach (var message in batch)
        {
            if (await deserializer.DecodeOrPoisonAsync(message, poison, ct) is not { } envelope)
            {
                continue;
            }
            if (current is null || current.Partition != message.Partition.Value || !string.Equals(current.Topic, message.Topic, StringComparison.Ordinal))
            {
                current = partitions.Find(p => p.Partition == message.Partition.Value && string.Equals(p.Topic, message.Topic, StringComparison.Ordinal));
                if (current is null)
                {
                    partitions.Add(current = new PartitionBatch(message.Topic, message.Partition.Value));
                }
            }
            current.Events.Add(ToFeatureEvent(message.Offset.Value, envelope));
            current.Trace = LineageHeaders.Get(message.Message.Headers, LineageHeaders.TraceParent);
        }
        return (poison, partitions);
    }

    /// <summary>The event as the planner sees it: its offset, type, event time (UTC milliseconds) and attributes.</summary>
    public static FeatureEvent ToFeatureEvent(long offset, EventEnvelope envelope) => new(
        offset,
        envelope.event_type ?? "",
        new DateTimeOffset(DateTime.SpecifyKind(envelope.event_time, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
        envelope.attributes is null ? new Dictionary<string, object?>() : envelope.attributes.AsReadOnly()!);
}
