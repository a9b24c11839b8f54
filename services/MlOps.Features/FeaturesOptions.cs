using System.ComponentModel.DataAnnotations;

namespace MlOps.Features;

/// <summary>Features settings, bound from the <c>Features</c> section.</summary>
public sealed class FeaturesOptions
{
    public const string Section = "Features";

    /// <summary>The declarative spec whose feature views are computed (hot-reloaded).</summary>
    [Required(ErrorMessage = "Features:SpecPath (or MLOPS_SPEC) is required, e.g. 'infra/examples/flights/spec.yaml'.")]
    public string SpecPath { get; set; } = "";

    public string GroupId { get; set; } = "mlops-features";

    /// <summary>The validated-events topic (tests point it at a topic of their own).</summary>
    public string Topic { get; set; } = MlOps.Contracts.TopicCatalog.EventsValidated;

    [Range(1, 100_000, ErrorMessage = "Features:MaxBatchSize must be between 1 and 100000.")]
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>Publish what changed to mlops.features.updates (one record per view and entity per batch).</summary>
    public bool PublishUpdates { get; set; } = true;

    [Range(1, 10_000, ErrorMessage = "Features:MaxReadEntities must be between 1 and 10000.")]
    public int MaxReadEntities { get; set; } = 1000;
}
