using Prometheus;

namespace MlOps.Common.Kafka;

/// <summary>Metrics every consumer worker reports. Labels are bounded: worker name, topic and outcome.</summary>
public static class ConsumerMetrics
{
    public static readonly Counter Messages = Metrics.CreateCounter(
        "mlops_consumer_messages_total", "Messages handled by consumer workers, by outcome (processed, dead_lettered, dead_letter_blocked: a dead-letter topic refused, the batch waits).",
        "worker", "topic", "outcome");

    public static readonly Counter Retries = Metrics.CreateCounter(
        "mlops_consumer_retries_total", "Batch retries, by kind (transient: dependency failure; isolate: batch split to find poison; rewind: batch re-read after MaxTransientRetry).",
        "worker", "kind");

    public static readonly Histogram BatchDuration = Metrics.CreateHistogram(
        "mlops_consumer_batch_duration_seconds", "Time to make one batch's effects durable, DLQ included.",
        new HistogramConfiguration
        {
            LabelNames = ["worker"],
            Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16),
        });

    public static readonly Counter PartitionsRevoked = Metrics.CreateCounter(
        "mlops_consumer_partitions_revoked_total", "Partitions revoked or lost by rebalances.", "worker");
}
