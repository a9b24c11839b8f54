using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using MlOps.Common.Avro;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Features.Store;

namespace MlOps.Features;

/// <summary>
/// Consumes mlops.events.validated: per source partition, plans the batch against the partition's fence, applies it
/// to Redis in one atomic call (re-planning if another writer moved the fence) that also returns the merged state of
/// every entity written, then publishes what changed to mlops.features.updates. Two-stage: decoding and planning
/// of the next batch overlap the current batch's Redis call and update log (ConsumerWorkerOptions.OverlapBatches).
/// Offsets are stored by the worker only after all of that is durable. Undecodable input cannot come from
/// Ingestion; if it does, it is dead-lettered.
/// </summary>
public sealed class ValidatedEventsHandler(
    SpecProvider specs,
    GuardedAvroDeserializer<EventEnvelope> deserializer,
    RedisFeatureWriter writer,
    FeatureUpdatePublisher updates,
    LayoutGuard layouts,
    TimeProvider clock,
    IOptions<FeaturesOptions> options,
    ILogger<ValidatedEventsHandler> logger) : IKafkaTwoStageBatchHandler
{
    private const int MaxConflicts = 10;
    private (PlatformSpec Spec, ViewCatalog Views)? _catalog;
    private long _eventsHandled;

    // The fence each partition had after this instance's last apply; a stale one is caught by the script's check.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Topic, int Partition), Fence> _fences = new();

    // The fence each partition will have once the batches prepared so far are applied: a batch prepared while the
    // one before is in flight is planned against it. Completing checks the plan against the actual fence first.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Topic, int Partition), Fence> _predicted = new();

    // The last batch completed in two stages: its apply (the next batch's apply waits for it and is abandoned if it
    // failed) and the production of its update log (the next batch's records are produced after it).
    private Task _applied = Task.CompletedTask;
    private Task _published = Task.CompletedTask;

    /// <summary>Events this instance has planned (applied or skipped), for operators and tests.</summary>
    public long EventsHandled => Interlocked.Read(ref _eventsHandled);

    public async Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        _predicted.Clear();
        return await CompleteCoreAsync(await PrepareCoreAsync(batch, predict: false, ct), chained: false, ct);
    }

    public async Task<object> PrepareAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct) =>
        await PrepareCoreAsync(batch, predict: true, ct);

    public void Reset()
    {
        _predicted.Clear();
        _applied = Task.CompletedTask;
        _published = Task.CompletedTask;
    }

    /// <summary>Decodes the batch, splits it by source partition and plans each part (no effect outside this instance).</summary>
    private async Task<PreparedBatch> PrepareCoreAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, bool predict, CancellationToken ct)
    {
        layouts.ThrowIfUnchecked();
        var spec = specs.Current;
        var catalog = CatalogFor(spec);
        var phase = Stopwatch.GetTimestamp();
        var (poison, partitions) = await ValidatedBatchDecoder.DecodeAsync(deserializer, batch, ct);
        phase = BatchMetricsRecorder.ObservePhase("decode", phase);
        foreach (var part in partitions)
        {
            var key = (part.Topic, part.Partition);
            var fence = predict && _predicted.TryGetValue(key, out var predicted) ? predicted : await KnownFenceAsync(key);
            var plan = FeaturePlanner.Plan(catalog, part.Topic, part.Partition, fence, part.Events);
            part.Apply = RedisFeatureWriter.Prepare(plan);
            if (predict)
            {
                _predicted[key] = plan.Next;
            }
        }
        BatchMetricsRecorder.ObservePhase("plan", phase);
        return new PreparedBatch(spec, catalog, poison, partitions, batch.Count - poison.Count);
    }

    /// <summary>
    /// Applies each partition's plan (re-planned if the fence is not the one it was planned against), with the update
    /// log's read-back pipelined right behind the scripts; then publishes the update log. If a script could not go
    /// out before the read-back (a fence to read first, a conflict, Redis without the script cached), the read-back
    /// is made again after every apply.
    /// </summary>
    public Task<IReadOnlyList<PoisonMessage>> CompleteAsync(object prepared, CancellationToken ct) =>
        CompleteCoreAsync((PreparedBatch)prepared, chained: true, ct);

    /// <param name="chained">
    /// True for the worker's two-stage path: called in batch order on the consumer thread, the batch queues behind
    /// the one before (whose apply may be in flight). False for a batch handled whole (alone, or retried).
    /// </param>
    private async Task<IReadOnlyList<PoisonMessage>> CompleteCoreAsync(PreparedBatch batch, bool chained, CancellationToken ct)
    {
        var previousApply = chained ? _applied : Task.CompletedTask;
        var previousPublish = chained ? _published : Task.CompletedTask;
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (chained)
        {
            _applied = applied.Task;
            _published = published.Task;
        }
        try
        {
            try
            {
                await previousApply;
            }
            catch (Exception ex)
            {
                // Applying this batch now would move the fences past the one before: it is re-read after it instead.
                throw new KafkaBatchAbandonedException($"the batch before was not applied ({ex.GetType().Name}: {ex.Message})");
            }
            var phase = Stopwatch.GetTimestamp();
            var publish = options.Value.PublishUpdates;
            foreach (var part in batch.Partitions)
            {
                part.InOrder = true;
            }
            // Each call sends its script before its first await unless it must read the fence first.
            var applies = batch.Partitions.Select(p => ApplyAsync(batch.Catalog, p, ct)).ToList();
            var readBack = publish && batch.Partitions.All(p => p.Sent) ? updates.QueueReadBack(batch.Plans()) : null;
            await Task.WhenAll(applies);
            applied.SetResult();
            Interlocked.Add(ref _eventsHandled, batch.Count);
            phase = BatchMetricsRecorder.ObservePhase("apply", phase);
            if (publish)
            {
                if (readBack is null || !batch.Partitions.All(p => p.InOrder))
                {
                    readBack = updates.QueueReadBack(batch.Plans());
                }
                // The update log keeps batch order: this batch's records are produced after the previous batch's.
                await updates.PublishAsync(readBack, batch.Spec, batch.Partitions.ToDictionary(p => (p.Topic, p.Partition), p => p.Trace),
                    previousPublish, published.SetResult, ct);
                BatchMetricsRecorder.ObservePhase("update_log", phase);
            }
            return batch.Poison;
        }
        catch (Exception ex)
        {
            applied.TrySetException(ex);
            // Records not produced yet: the next batch's would go out ahead of this batch's retry; it is re-read instead.
            published.TrySetException(ex);
            _predicted.Clear();
            throw;
        }
        finally
        {
            published.TrySetResult();
        }
    }

    private async ValueTask<Fence> KnownFenceAsync((string Topic, int Partition) key)
    {
        if (_fences.TryGetValue(key, out var fence))
        {
            return fence;
        }
        var started = Stopwatch.GetTimestamp();
        fence = await writer.ReadFenceAsync(key.Topic, key.Partition);
        FeaturesMetrics.RedisSeconds.WithLabels("fence").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        FeaturesMetrics.RedisOperations.Inc();
        return fence;
    }

    /// <summary>
    /// Applies the partition's prepared plan after checking it was made against the fence this instance knows (read
    /// from Redis the first time), re-planning otherwise; if another writer moved the fence meanwhile, the script
    /// refuses and returns it, and the part is re-planned.
    /// </summary>
    private async Task ApplyAsync(ViewCatalog catalog, PartitionBatch part, CancellationToken ct)
    {
        var key = (part.Topic, part.Partition);
        var prepared = part.Apply!;
        var known = KnownFenceAsync(key);
        if (!known.IsCompleted)
        {
            part.InOrder = false;
        }
        var fence = await known;
        IReadOnlyDictionary<string, int> dropped = System.Collections.ObjectModel.ReadOnlyDictionary<string, int>.Empty;
        for (var attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            if (prepared.Plan.Expected != fence)
            {
                prepared = RedisFeatureWriter.Prepare(FeaturePlanner.Plan(catalog, part.Topic, part.Partition, fence, part.Events));
                part.Apply = prepared;
            }
            var plan = prepared.Plan;
            if (plan.Applied > 0)
            {
                var started = Stopwatch.GetTimestamp();
                var sending = writer.ApplyAsync(prepared);
                part.Sent = true;
                var result = await sending;
                if (result.Resent || attempt > 1)
                {
                    part.InOrder = false;
                }
                FeaturesMetrics.RedisSeconds.WithLabels("apply").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                FeaturesMetrics.RedisOperations.Inc(prepared.RedisOperations);
                if (!result.Applied)
                {
                    FeaturesMetrics.FenceConflicts.Inc();
                    if (attempt == MaxConflicts)
                    {
                        // Transient: nothing is wrong with the events, so the batch is retried and then re-read,
                        // never split up and dead-lettered.
                        _fences.TryRemove(key, out _);
                        throw new TransientFailureException($"the fence of {part.Topic}[{part.Partition}] kept moving during {MaxConflicts} attempts; is another writer replaying it?");
                    }
                    logger.LogInformation("Fence of {Topic}[{Partition}] moved to {Fence}; re-planning", part.Topic, part.Partition, result.Current.Encode());
                    fence = result.Current;
                    continue;
                }
                dropped = result.TilesDropped;
                FeaturesMetrics.TilesDropped.Inc(dropped.Values.Sum());
            }
            part.Sent = true;
            _fences[key] = plan.Next;
            BatchMetricsRecorder.Observe(plan, dropped, clock);
            return;
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

    /// <inheritdoc cref="ValidatedBatchDecoder.ToFeatureEvent"/>
    public static FeatureEvent ToFeatureEvent(long offset, EventEnvelope envelope) => ValidatedBatchDecoder.ToFeatureEvent(offset, envelope);
}
