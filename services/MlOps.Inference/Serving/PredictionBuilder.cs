using System.Globalization;
using MlOps.Common.Features;
using MlOps.Common.Spec;
using MlOps.Contracts;

namespace MlOps.Inference.Serving;

/// <summary>
/// Builds a scored (or unscored) row's prediction with its full provenance: model and hash, arm and bucket, what
/// served and why, the served values with their ages, missing features, view and spec versions and lineage; the
/// score with its decision after the output rules; and counts it in the prediction, fallback, unscored and
/// missing-feature metrics.
/// </summary>
internal static class PredictionBuilder
{
    public static Prediction Build(ScoringRequest request, ScoringJob job, PlatformSpec spec, Dictionary<string, FeatureVector> vectors, DateTime now, string path)
    {
        var route = job.Route;
        var constant = !job.Shadow && job.Probability is null ? route.Deployment.fallback_constant : null;
        // What the prediction names is what produced its score: the model that scored it, with that model's row, or
        // the constant (no row). Unscored, it names the routed arm's own model, served_by "none" and no row: no model
        // it tried served, and its fallback_reason lists why each one did not.
        var scoredByModel = job.Probability is not null;
        var model = (scoredByModel ? job.Model : job.ArmModel).Model.Version;
        var row = scoredByModel ? job.Row : new AssembledRow();
        var prediction = new Prediction
        {
            prediction_id = Scorer.PredictionId(request.EventId, route.Key, job.Arm),
            request_id = request.RequestId,
            event_id = request.EventId,
            tenant_id = request.TenantId,
            entity_id = request.EntityId,
            event_time = DateTimeOffset.FromUnixTimeMilliseconds(request.EventTimeMs).UtcDateTime,
            deployment = route.Deployment.deployment,
            arm = job.Arm,
            is_shadow = job.Shadow,
            route_bucket = job.Bucket,
            model_name = constant is null ? model.model_name : "constant",
            model_version = constant is null ? model.version : constant.Value.ToString("R", CultureInfo.InvariantCulture),
            model_sha256 = constant is null ? model.artifact_sha256 : null,
            scores = new Dictionary<string, double>(),
            decision = null,
            fallback_reason = job.FailureChain,
            served_by = constant is not null ? "fallback:constant" : !scoredByModel ? Scorer.ServedByNone : job.Level == 0 ? "arm" : $"fallback:{job.Model.Model.Key}",
            served_features = row.Served,
            feature_ages_ms = row.AgesMs,
            missing_features = row.Missing,
            feature_views = vectors.Values.ToDictionary(v => v.View, v => v.ViewVersion, StringComparer.Ordinal),
            spec_version = spec.VersionTag,
            predicted_at = now,
            lineage = new Lineage
            {
                source_topic = request.Source.Topic,
                source_partition = request.Source.Partition,
                source_offset = request.Source.Offset,
                source_event_id = request.EventId,
                spec_version = spec.VersionTag,
                traceparent = request.Source.TraceParent,
            },
        };
        if (((double?)job.Probability ?? constant) is { } probability)
        {
            prediction.scores[Scorer.ProbabilityScore] = probability;
            prediction.decision = probability >= 0.5 ? "positive" : "negative";
            PredictionRules.Apply(prediction, request, route, probability);
            InferenceMetrics.Predictions.WithLabels(route.Key, prediction.model_name, prediction.model_version, job.Arm, path).Inc();
            if (job.FirstFailure is { } failure && !job.Shadow)
            {
                InferenceMetrics.Fallbacks.WithLabels(route.Key, failure.Code, constant is null ? "model" : "constant").Inc();
            }
        }
        else if (!job.Shadow)
        {
            // Requests that could not be scored: a shadow's unscored row is not one (the request was served).
            InferenceMetrics.Unscored.WithLabels(path, job.FirstFailure?.Code ?? "unknown").Inc();
        }
        // Only a scored row has missing features to report, and they are the scoring model's (job.Model's) own.
        foreach (var missing in row.Missing)
        {
            InferenceMetrics.MissingFeatures.WithLabels(job.Model.Model.Key, missing).Inc();
        }
        return prediction;
    }
}
