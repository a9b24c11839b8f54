using System.Globalization;

namespace MlOps.Inference.Serving;

/// <summary>Why a model's score was not served (a bounded code for metrics and alerts, and the detail).</summary>
public sealed record ScoringFailure(string Code, string Detail)
{
    public const string MissingRequiredFeature = "missing_required_feature";
    public const string ModelError = "model_error";
    public const string InvalidOutput = "invalid_output";
    public const string Timeout = "timeout";

    public override string ToString() => $"{Code}: {Detail}";

    /// <summary>
    /// Whether a score a model returned may be served: not when the run took longer than the deployment allows
    /// (<paramref name="limitMs"/>, null = no limit), nor when the score is missing, NaN, infinite or outside [0, 1].
    /// </summary>
    public static ScoringFailure? Of(string model, float? score, TimeSpan elapsed, long? limitMs) =>
        limitMs is { } limit && elapsed.TotalMilliseconds > limit
            ? new ScoringFailure(Timeout, $"{model} took {elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)} ms, the limit is {limit} ms")
            : score is not { } p || !float.IsFinite(p) || p < 0 || p > 1
                ? new ScoringFailure(InvalidOutput, $"{model} returned {score?.ToString("R", CultureInfo.InvariantCulture) ?? "no score"}, not a probability")
                : null;
}
