using Prometheus;

namespace MlOps.Features;

/// <summary>Freshness and health of the online store. Labels are bounded: views come from the spec.</summary>
public static class FeaturesMetrics
{
    public static readonly Counter Events = Metrics.CreateCounter(
        "mlops_features_events_total", "Events per view by outcome (applied, late, missing_entity).", "view", "outcome");

    public static readonly Counter Replayed = Metrics.CreateCounter(
        "mlops_features_replayed_total", "Events at or below their partition's fence: applied before, skipped (crash, rebalance or replay).");

    public static readonly Counter TilesWritten = Metrics.CreateCounter(
        "mlops_features_tiles_written_total", "Tiles written to Redis per view: each tile an applied batch merges into (its events combined first), less the merges refused (tiles_dropped_total).", "view");

    public static readonly Counter TilesDropped = Metrics.CreateCounter(
        "mlops_features_tiles_dropped_total", "Tile merges the apply script refused because a newer tile holds the slot (beyond the window and lateness); not written.");

    public static readonly Counter RedisOperations = Metrics.CreateCounter(
        "mlops_features_redis_operations_total", "Redis commands issued for updates (fence reads, the apply script's calls, update-log read-backs).");

    public static readonly Counter FenceConflicts = Metrics.CreateCounter(
        "mlops_features_fence_conflicts_total", "Batches re-planned because another writer moved the partition's fence.");

    public static readonly Histogram EventTimeLag = Metrics.CreateHistogram(
        "mlops_features_event_time_lag_seconds", "Wall-clock time minus the newest event time a batch applied to the view, when it is applied (replayed, late events not counted).",
        new HistogramConfiguration
        {
            LabelNames = ["view"],
            Buckets = [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600],
        });

    public static readonly Histogram RedisSeconds = Metrics.CreateHistogram(
        "mlops_features_redis_seconds", "Redis latency by operation (fence, apply, read).",
        new HistogramConfiguration
        {
            LabelNames = ["operation"],
            Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16),
        });

    public static readonly Histogram BatchPhaseSeconds = Metrics.CreateHistogram(
        "mlops_features_batch_phase_seconds", "Time per consumed batch in each phase (decode, apply, update_log).",
        new HistogramConfiguration
        {
            LabelNames = ["phase"],
            Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16),
        });

    public static readonly Counter Reads = Metrics.CreateCounter(
        "mlops_features_reads_total", "Entity reads by view and status (fresh = hit, expired, missing).", "view", "status");
}
