using MlOps.Common.Features;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Features.Store;

namespace MlOps.Features;

/// <summary>
/// Writes the feature update log: after a batch is applied, each (view, entity) it touched — once per batch, however
/// many partitions touched it — is read back at its newest event time, in one pipelined Redis call, and published
/// to mlops.features.updates with the lineage of the partition that held that newest event. Entities of replayed
/// events are published again, so a crash between the Redis apply and the publish loses no update (the log is
/// at-least-once; the store is exactly-once).
/// </summary>
public sealed class FeatureUpdatePublisher(FeatureStoreReader reader, AvroPublisher publisher, TimeProvider clock)
{
    public async Task PublishAsync(IReadOnlyList<WritePlan> plans, PlatformSpec spec, IReadOnlyDictionary<(string Topic, int Partition), string?> traces, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var touched = new Dictionary<(FeatureView View, string Entity), (long Newest, WritePlan Source)>();
        foreach (var plan in plans)
        {
            foreach (var (entity, newest) in plan.Touched)
            {
                if (!touched.TryGetValue(entity, out var seen) || newest > seen.Newest)
                {
                    touched[entity] = (newest, plan);
                }
            }
        }
        if (touched.Count == 0)
        {
            return;
        }
        var entries = touched.ToList();
        var vectors = await reader.ReadAsync(
            entries.Select(t => new FeatureRequest(t.Key.View, t.Key.Entity, DateTimeOffset.FromUnixTimeMilliseconds(t.Value.Newest).UtcDateTime)).ToList(),
            clock.GetUtcNow().UtcDateTime);
        FeaturesMetrics.RedisOperations.Inc(entries.Sum(t => t.Key.View.ReadOperations));
        FeaturesMetrics.BatchPhaseSeconds.WithLabels("update_log_read").Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);

        var now = clock.GetUtcNow().UtcDateTime;
        await Task.WhenAll(vectors.Select((v, i) =>
        {
            var source = entries[i].Value.Source;
            var trace = traces.GetValueOrDefault((source.Topic, source.Partition));
            var lineage = new Lineage
            {
                source_topic = source.Topic,
                source_partition = source.Partition,
                source_offset = source.Next.Offset,
                spec_version = spec.VersionTag,
                traceparent = trace,
            };
            var headers = LineageHeaders.Create(source.Topic, source.Partition, source.Next.Offset, spec.VersionTag, null, trace);
            return publisher.PublishAsync(TopicCatalog.FeaturesUpdates, $"{v.View}/{v.Entity}", new FeatureUpdate
            {
                view = v.View,
                view_version = v.ViewVersion,
                entity_key = v.Entity,
                event_time = DateTimeOffset.FromUnixTimeMilliseconds(v.NewestEventTimeMs ?? v.AtMs).UtcDateTime,
                values = v.Values.ToDictionary(x => x.Key, x => x.Value!),
                updated_at = now,
                lineage = lineage,
            }, headers, ct);
        }));
    }
}
