namespace MlOps.Common.Kafka;

/// <summary>One consumer worker: what it reads, as which group, and how it batches, retries and drains.</summary>
public sealed class ConsumerWorkerOptions
{
    /// <summary>Name used in logs, metrics and error messages (e.g. "ingestion-raw").</summary>
    public string Name { get; set; } = "";

    public List<string> Topics { get; set; } = [];

    public string GroupId { get; set; } = "";

    /// <summary>Most messages handed to the handler at once; also the bound on duplicates after a crash.</summary>
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>How long to keep filling a batch after its first message.</summary>
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Attempts for one message failing with a non-transient error before it is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 3;

    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a batch may keep failing transiently before it is abandoned and re-read from Kafka. The consumer
    /// does not poll while it retries, so this must stay well below librdkafka's <c>max.poll.interval.ms</c> (5 min).
    /// </summary>
    public TimeSpan MaxTransientRetry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest <see cref="MaxTransientRetry"/> allowed: it stays below max.poll.interval.ms.</summary>
    public static readonly TimeSpan MaxTransientRetryLimit = TimeSpan.FromMinutes(2);

    /// <summary>Commit after every batch (bounds duplicates after a crash to one batch) instead of librdkafka's interval.</summary>
    public bool CommitEveryBatch { get; set; } = true;

    /// <summary>
    /// Consume and prepare the next batch (a <see cref="IKafkaTwoStageBatchHandler"/>'s decode and planning) while
    /// earlier batches' effects are in flight, and let up to two prepared batches complete at once (the handler
    /// orders their stages). Offsets are still stored in batch order, each only after that batch's effects are
    /// durable; a batch that must be re-read takes every later one with it. Off by default; for a handler that is
    /// not two-stage only the consume overlaps.
    /// </summary>
    public bool OverlapBatches { get; set; }

    /// <summary>On shutdown, how long the batch in progress may take to finish before it is abandoned (and redelivered).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Throws with every problem, each naming its setting.</summary>
    public void Validate()
    {
        var prefix = $"Consumers:{(Name.Length > 0 ? Name : "<unnamed>")}:";
        var problems = new List<string>();
        if (Name.Length == 0) problems.Add(prefix + "Name must be set.");
        if (Topics.Count == 0 || Topics.Any(string.IsNullOrWhiteSpace)) problems.Add(prefix + "Topics must list at least one topic name.");
        if (string.IsNullOrWhiteSpace(GroupId)) problems.Add(prefix + "GroupId must be set.");
        if (MaxBatchSize is < 1 or > 100_000) problems.Add(prefix + $"MaxBatchSize must be within 1..100000 (got {MaxBatchSize}).");
        if (MaxAttempts < 1) problems.Add(prefix + $"MaxAttempts must be at least 1 (got {MaxAttempts}).");
        if (MaxBatchWait < TimeSpan.Zero) problems.Add(prefix + "MaxBatchWait must not be negative.");
        if (DrainTimeout <= TimeSpan.Zero) problems.Add(prefix + "DrainTimeout must be positive.");
        if (MaxTransientRetry <= TimeSpan.Zero || MaxTransientRetry > MaxTransientRetryLimit) problems.Add(prefix + "MaxTransientRetry must be within (0, 2 min] to stay below max.poll.interval.ms.");
        if (RetryBackoff <= TimeSpan.Zero || MaxRetryBackoff < RetryBackoff) problems.Add(prefix + "RetryBackoff must be positive and at most MaxRetryBackoff.");
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
    }
}
