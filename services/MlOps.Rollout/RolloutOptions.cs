using System.ComponentModel.DataAnnotations;

namespace MlOps.Rollout;

/// <summary>Rollout controller settings, bound from the <c>Rollout</c> section.</summary>
public sealed class RolloutOptions : IValidatableObject
{
    public const string Section = "Rollout";

    /// <summary>How often every active rollout's gates are judged.</summary>
    public TimeSpan EvaluateEvery { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The consumer group predictions are read with (one active controller: replicas 1).</summary>
    public string GroupId { get; set; } = "mlops-rollout";

    /// <summary>Where predictions are read from (tests point it at a topic of their own).</summary>
    public string PredictionsTopic { get; set; } = MlOps.Contracts.TopicCatalog.Predictions;

    [Range(1, 100_000, ErrorMessage = "Rollout:MaxBatchSize must be between 1 and 100000.")]
    public int MaxBatchSize { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EvaluateEvery <= TimeSpan.Zero || EvaluateEvery > TimeSpan.FromMinutes(10))
        {
            yield return new ValidationResult("Rollout:EvaluateEvery must be within (0, 00:10:00], e.g. '00:00:01'.", [nameof(EvaluateEvery)]);
        }
        if (string.IsNullOrWhiteSpace(GroupId)) yield return new ValidationResult("Rollout:GroupId must be set.", [nameof(GroupId)]);
        if (string.IsNullOrWhiteSpace(PredictionsTopic)) yield return new ValidationResult("Rollout:PredictionsTopic must be set.", [nameof(PredictionsTopic)]);
    }
}
