using MlOps.Contracts;

namespace MlOps.Inference.Serving;

/// <summary>
/// The result for one request: the served prediction (scored, served by a fallback, or unscored with the reason),
/// the shadow arms' predictions (logged, never served), or why the request is not a scoring target.
/// </summary>
public sealed record ScoreOutcome(ScoringRequest Request, Prediction? Prediction, string? NotScoredReason, IReadOnlyList<Prediction> Shadows)
{
    /// <summary>Everything to log for this request: the served prediction and the shadows'.</summary>
    public IEnumerable<Prediction> Logged => Prediction is null ? Shadows : Shadows.Prepend(Prediction);
}
