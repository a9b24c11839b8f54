using MlOps.Common.Features;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Features.Store;

namespace MlOps.Features;

/// <summary>
/// Writes the feature update log: after a batch is applied, each touched (view, entity) is read back at its newest
/// event time and published to mlops.features.updates. Entities of replayed events are published again, so a crash
/// between the Redis apply and the publish loses no update (the log is at-least-once; the store is exactly-once).
/// </summary>
public sealed class FeatureUpdatePublisher(FeatureStoreReader reader, AvroPublisher publisher, TimeProvider clock)
{
    public async Task PublishAsync(WritePlan plan, PlatformSpec spec, string? traceParent, CancellationToken ct)
    {
        var touched = plan.Touched.ToList();
        var vectors = new List<FeatureVector>(touched.Count);
        foreach (var group in touched.GroupBy(t => t.Value))
        {
            vectors.AddRange(await reader.ReadAsync(
                group.Select(t => new FeatureRequest(t.Key.View, t.Key.Entity)).ToList(),
                DateTimeOffset.FromUnixTimeMilliseconds(group.Key).UtcDateTime));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var lineage = new Lineage
        {
            source_topic = plan.Topic,
            source_partition = plan.Partition,
            source_offset = plan.Next.Offset,
            spec_version = spec.VersionTag,
            traceparent = traceParent,
        };
        var headers = LineageHeaders.Create(plan.Topic, plan.Partition, plan.Next.Offset, spec.VersionTag, null, traceParent);
        await Task.WhenAll(vectors.Select(v => publisher.PublishAsync(TopicCatalog.FeaturesUpdates, $"{v.View}/{v.Entity}", new FeatureUpdate
        {
            view = v.View,
            view_version = v.ViewVersion,
            entity_key = v.Entity,
            event_time = DateTimeOffset.FromUnixTimeMilliseconds(v.NewestEventTimeMs ?? v.AtMs).UtcDateTime,
            values = v.Values.ToDictionary(x => x.Key, x => x.Value!),
            updated_at = now,
            lineage = lineage,
        }, headers, ct)));
    }
}
