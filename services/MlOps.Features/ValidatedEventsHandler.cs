using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using MlOps.Common.Avro;
using MlOps.Common.Features;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Features.Store;

namespace MlOps.Features;

/// <summary>
/// Consumes mlops.events.validated: per source partition, plans the batch against the partition's fence, applies it
/// to Redis in one atomic call (re-planning if another writer moved the fence), then publishes what changed to
/// mlops.features.updates. Offsets are stored by the worker only after all of that is durable. Undecodable input
/// cannot come from Ingestion; if it does, it is dead-lettered.
/// </summary>
public sealed class ValidatedEventsHandler(
    SpecProvider specs,
    GuardedAvroDeserializer<EventEnvelope> deserializer,
    RedisFeatureWriter writer,
    FeatureUpdatePublisher updates,
    TimeProvider clock,
    IOptions<FeaturesOptions> options,
    ILogger<ValidatedEventsHandler> logger) : IKafkaBatchHandler
{
    private const int MaxConflicts = 10;
    private (PlatformSpec Spec, ViewCatalog Views)? _catalog;
    private long _eventsHandled;

    // The fence each partition had after this instance's last apply; a stale one is caught by the script's check.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Topic, int Partition), Fence> _fences = new();

    /// <summary>Events this instance has planned (applied or skipped), for operators and tests.</summary>
    public long EventsHandled => Interlocked.Read(ref _eventsHandled);

    public async Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        var spec = specs.Current;
        var catalog = CatalogFor(spec);
        var phase = Stopwatch.GetTimestamp();
        var poison = new List<PoisonMessage>();
        var partitions = new Dictionary<(string Topic, int Partition), List<(FeatureEvent Event, string? Trace)>>();
        foreach (var message in batch)
        {
            EventEnvelope envelope;
            try
            {
                envelope = await deserializer.DeserializeAsync(message.Message.Value ?? [], message.Topic, ct);
            }
            catch (AvroPayloadRejectedException ex)
            {
                poison.Add(new PoisonMessage(message, ex.Reason, ex));
                continue;
            }
            var key = (message.Topic, message.Partition.Value);
            if (!partitions.TryGetValue(key, out var list))
            {
                partitions[key] = list = [];
            }
            list.Add((ToFeatureEvent(message.Offset.Value, envelope), LineageHeaders.Get(message.Message.Headers, LineageHeaders.TraceParent)));
        }

        phase = ObservePhase("decode", phase);

        var plans = await Task.WhenAll(partitions.Select(p =>
            ApplyAsync(catalog, p.Key.Topic, p.Key.Partition, p.Value.Select(e => e.Event).ToList(), ct)));
        Interlocked.Add(ref _eventsHandled, batch.Count - poison.Count);
        phase = ObservePhase("apply", phase);
        if (options.Value.PublishUpdates)
        {
            await updates.PublishAsync(plans, spec, partitions.ToDictionary(p => p.Key, p => p.Value[^1].Trace), ct);
            ObservePhase("update_log", phase);
        }
        return poison;
    }

    /// <summary>
    /// Plans against the fence this instance last saw for the partition (read from Redis the first time) and applies;
    /// if another writer moved the fence meanwhile, the script refuses and returns it, and the batch is re-planned.
    /// </summary>
    private async Task<WritePlan> ApplyAsync(ViewCatalog catalog, string topic, int partition, IReadOnlyList<FeatureEvent> events, CancellationToken ct)
    {
        var key = (topic, partition);
        if (!_fences.TryGetValue(key, out var fence))
        {
            var started = Stopwatch.GetTimestamp();
            fence = await writer.ReadFenceAsync(topic, partition);
            FeaturesMetrics.RedisSeconds.WithLabels("fence").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            FeaturesMetrics.RedisOperations.Inc();
        }
        for (var attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            var plan = FeaturePlanner.Plan(catalog, topic, partition, fence, events);
            if (plan.Applied > 0)
            {
                var started = Stopwatch.GetTimestamp();
                var result = await writer.ApplyAsync(plan);
                FeaturesMetrics.RedisSeconds.WithLabels("apply").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                FeaturesMetrics.RedisOperations.Inc(plan.RedisOperations);
                if (!result.Applied)
                {
                    FeaturesMetrics.FenceConflicts.Inc();
                    if (attempt == MaxConflicts)
                    {
                        _fences.TryRemove(key, out _);
                        throw new InvalidOperationException($"the fence of {topic}[{partition}] kept moving during {MaxConflicts} attempts; is another writer replaying it?");
                    }
                    logger.LogInformation("Fence of {Topic}[{Partition}] moved to {Fence}; re-planning", topic, partition, result.Current.Encode());
                    fence = result.Current;
                    continue;
                }
                FeaturesMetrics.TilesDropped.Inc(result.TilesDropped);
            }
            _fences[key] = plan.Next;
            Observe(plan);
            return plan;
        }
    }

    private static long ObservePhase(string name, long since)
    {
        var now = Stopwatch.GetTimestamp();
        FeaturesMetrics.BatchPhaseSeconds.WithLabels(name).Observe(Stopwatch.GetElapsedTime(since, now).TotalSeconds);
        return now;
    }

    private void Observe(WritePlan plan)
    {
        foreach (var (view, count) in plan.AppliedByView) FeaturesMetrics.Events.WithLabels(view, "applied").Inc(count);
        foreach (var (view, count) in plan.Late) FeaturesMetrics.Events.WithLabels(view, "late").Inc(count);
        foreach (var (view, count) in plan.MissingEntity) FeaturesMetrics.Events.WithLabels(view, "missing_entity").Inc(count);
        foreach (var (view, count) in plan.TilesByView) FeaturesMetrics.TilesWritten.WithLabels(view).Inc(count);
        FeaturesMetrics.Replayed.Inc(plan.AlreadyApplied);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var group in plan.Touched.GroupBy(t => t.Key.View.Name))
        {
            FeaturesMetrics.EventTimeLag.WithLabels(group.Key).Observe(Math.Max(0, (now - group.Max(t => t.Value)) / 1000.0));
        }
    }

    /// <summary>The views of the spec in force, indexed once per spec instance (a reload brings a new one).</summary>
    private ViewCatalog CatalogFor(PlatformSpec spec)
    {
        if (_catalog is not { } cached || !ReferenceEquals(cached.Spec, spec))
        {
            _catalog = cached = (spec, new ViewCatalog(spec.FeatureViews.Values));
        }
        return cached.Views;
    }

    public static FeatureEvent ToFeatureEvent(long offset, EventEnvelope envelope) => new(
        offset,
        envelope.event_type ?? "",
        new DateTimeOffset(DateTime.SpecifyKind(envelope.event_time, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
        envelope.attributes is null ? new Dictionary<string, object?>() : envelope.attributes.AsReadOnly()!);
}
