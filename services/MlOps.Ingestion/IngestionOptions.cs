using System.ComponentModel.DataAnnotations;

namespace MlOps.Ingestion;

/// <summary>Ingestion settings, bound from the <c>Ingestion</c> section.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>The declarative spec whose data contracts validate events (hot-reloaded).</summary>
    [Required(ErrorMessage = "Ingestion:SpecPath (or MLOPS_SPEC) is required, e.g. 'infra/examples/flights/spec.yaml'.")]
    public string SpecPath { get; set; } = "";

    public string GroupId { get; set; } = "mlops-ingestion";

    /// <summary>How long an event_id is remembered for dedupe.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "Ingestion:DedupeHorizon must be between 1 s and 30 days.")]
    public TimeSpan DedupeHorizon { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a claimed event id is held as pending, before its output is acknowledged by Kafka. A copy arriving
    /// meanwhile waits (HTTP 503 with Retry-After, a Kafka batch retries); if the attempt dies, the id is free again
    /// after this long. Must exceed the producer's message timeout, or a slow ack could outlive the claim.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Ingestion:ClaimPendingTtl must be between 1 s and 1 day.")]
    public TimeSpan ClaimPendingTtl { get; set; } = TimeSpan.FromMinutes(5);

    [Range(1024, 64 * 1024 * 1024, ErrorMessage = "Ingestion:MaxHttpBodyBytes must be between 1024 and 67108864.")]
    public int MaxHttpBodyBytes { get; set; } = 1024 * 1024;

    [Range(1, 10_000, ErrorMessage = "Ingestion:MaxHttpBatchEvents must be between 1 and 10000.")]
    public int MaxHttpBatchEvents { get; set; } = 500;

    [Range(1, 100_000, ErrorMessage = "Ingestion:MaxBatchSize must be between 1 and 100000.")]
    public int MaxBatchSize { get; set; } = 500;
}
