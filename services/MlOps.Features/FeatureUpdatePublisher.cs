using Confluent.Kafka;
using MlOps.Common.Features;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Features.Store;
using StackExchange.Redis;

namespace MlOps.Features;

/// <summary>
/// Writes the feature update log: after a batch is applied, each (view, entity) it touched — once per batch, however
/// many partitions touched it — is read back and published to mlops.features.updates with its values at the
/// entity's newest stored event time, with the lineage of the partition that held the batch's newest event of it.
/// The read-back is pipelined right behind the batch's apply scripts (<see cref="QueueReadBack"/>), so it costs no
/// round trip of its own; the records are produced together and sent at once. Entities of replayed events are
/// published again, so a crash between the Redis apply and the publish loses no update (the log is at-least-once;
/// the store is exactly-once).
/// </summary>
public sealed class FeatureUpdatePublisher(IConnectionMultiplexer redis, AvroPublisher publisher, TimeProvider clock)
{
    private readonly FeatureStoreReader _reader = new(redis);

    /// <summary>The entities a batch touched and their reads, sent but not awaited.</summary>
    public sealed class ReadBack
    {
        internal ReadBack(List<WritePlan> sources, QueuedRead read)
        {
            Sources = sources;
            Read = read;
        }

        internal List<WritePlan> Sources { get; }

        internal QueuedRead Read { get; }
    }

    /// <summary>
    /// Sends the reads of every (view, entity) the plans touched, at the batch's newest event time of each, now:
    /// issued right after the batch's apply scripts, they run after them. Null when nothing was touched.
    /// </summary>
    public ReadBack? QueueReadBack(IReadOnlyList<WritePlan> plans)
    {
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
            return null;
        }
        var requests = new List<FeatureRequest>(touched.Count);
        var sources = new List<WritePlan>(touched.Count);
        foreach (var ((view, entity), (newest, source)) in touched)
        {
            requests.Add(new FeatureRequest(view, entity, DateTimeOffset.FromUnixTimeMilliseconds(newest).UtcDateTime));
            sources.Add(source);
        }
        var read = _reader.Queue(requests, clock.GetUtcNow().UtcDateTime);
        FeaturesMetrics.RedisOperations.Inc(read.RedisOperations);
        return new ReadBack(sources, read);
    }

    /// <param name="after">
    /// Produce only once this completes: the previous batch's records were produced. If it failed before producing
    /// them, this batch is abandoned (<see cref="KafkaBatchAbandonedException"/>, re-read after it) rather than logged
    /// ahead of the previous batch's retry, which would leave an older state as an entity's last record.
    /// </param>
    /// <param name="produced">Called once every record of this batch is produced (not yet acknowledged).</param>
    public async Task PublishAsync(
        ReadBack? readBack, PlatformSpec spec, IReadOnlyDictionary<(string Topic, int Partition), string?> traces,
        Task? after, Action? produced, CancellationToken ct)
    {
        if (readBack is null)
        {
            produced?.Invoke();
            return;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var vectors = await AtNewestAsync(await readBack.Read.ReadAsync());
        FeaturesMetrics.BatchPhaseSeconds.WithLabels("update_log_read").Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);

        if (after is not null)
        {
            try
            {
                await after;
            }
            catch (Exception ex)
            {
                throw new KafkaBatchAbandonedException($"the batch before did not produce its update log ({ex.GetType().Name}: {ex.Message})");
            }
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var lineages = new Dictionary<WritePlan, (Lineage Lineage, Headers Headers)>(ReferenceEqualityComparer.Instance);
        var records = new (string Key, byte[] Value, Headers Headers)[vectors.Length];
        for (var i = 0; i < vectors.Length; i++)
        {
            var v = vectors[i];
            var source = readBack.Sources[i];
            if (!lineages.TryGetValue(source, out var lineage))
            {
                // One lineage record and header set per source partition, shared by its updates (read-only once built).
                var trace = traces.GetValueOrDefault((source.Topic, source.Partition));
                lineages[source] = lineage = (
                    new Lineage
                    {
                        source_topic = source.Topic,
                        source_partition = source.Partition,
                        source_offset = source.Next.Offset,
                        spec_version = spec.VersionTag,
                        traceparent = trace,
                    },
                    LineageHeaders.Create(source.Topic, source.Partition, source.Next.Offset, spec.VersionTag, null, trace));
            }
            var values = new Dictionary<string, object>(v.Values.Count, StringComparer.Ordinal);
            foreach (var (name, value) in v.Values)
            {
                values[name] = value!;
            }
            var update = new FeatureUpdate
            {
                view = v.View,
                view_version = v.ViewVersion,
                entity_key = v.Entity,
                event_time = DateTimeOffset.FromUnixTimeMilliseconds(v.NewestEventTimeMs ?? v.AtMs).UtcDateTime,
                values = values,
                updated_at = now,
                lineage = lineage.Lineage,
            };
            var bytes = await publisher.SerializeAsync(TopicCatalog.FeaturesUpdates, update, lineage.Headers);
            records[i] = (string.Concat(v.View, "/", v.Entity), bytes, lineage.Headers);
        }
        var acks = publisher.ProduceAllAsync(TopicCatalog.FeaturesUpdates, records);
        // The whole batch is queued and waited for: linger would only delay the acknowledgements.
        publisher.SendNow();
        produced?.Invoke();
        await acks;
    }

    /// <summary>
    /// Each entity's values at its newest stored event time. The reads were made at the batch's newest event time of
    /// the entity; the distinct counts are re-read where the stored newest falls in another tile (an older batch
    /// held a newer event), so every record is the entity's state as of its newest event.
    /// </summary>
    private async Task<FeatureVector[]> AtNewestAsync(IReadOnlyList<StoredEntity> stored)
    {
        var vectors = new FeatureVector[stored.Count];
        List<int>? again = null;
        for (var i = 0; i < stored.Count; i++)
        {
            var s = stored[i];
            if (s.NewestEventTimeMs is not { } newest)
            {
                vectors[i] = s.Decode(s.AtMs); // missing: nothing stored
                continue;
            }
            if (CompiledView.Of(s.Request.View).DistinctReads.Any(r => Tile(newest, r.TileMs) != Tile(s.AtMs, r.TileMs)))
            {
                (again ??= []).Add(i);
                continue;
            }
            vectors[i] = s.Decode(newest);
        }
        if (again is not null)
        {
            var read = _reader.Queue(again.Select(i => stored[i].Request with { At = DateTimeOffset.FromUnixTimeMilliseconds(stored[i].NewestEventTimeMs!.Value).UtcDateTime }).ToList(), clock.GetUtcNow().UtcDateTime);
            FeaturesMetrics.RedisOperations.Inc(read.RedisOperations);
            var reread = await read.ReadAsync();
            for (var j = 0; j < again.Count; j++)
            {
                vectors[again[j]] = reread[j].Decode(reread[j].NewestEventTimeMs ?? reread[j].AtMs);
            }
        }
        return vectors;
    }

    private static long Tile(long ms, long tileMs) => Math.DivRem(ms, tileMs) is var (q, r) && r < 0 ? q - 1 : q;
}
