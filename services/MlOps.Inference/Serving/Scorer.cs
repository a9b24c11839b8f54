using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using MlOps.Common.Features;
using MlOps.Common.Spec;
using MlOps.Contracts;

namespace MlOps.Inference.Serving;

/// <summary>The result for one request: a prediction to log (scored, or unscored with the reason), or not a target.</summary>
public sealed record ScoreOutcome(ScoringRequest Request, Prediction? Prediction, string? NotScoredReason);

/// <summary>
/// Scores a micro-batch: routes each request to its deployment, reads every feature the batch needs in one pipelined
/// Redis round trip (at each request's event time), runs each model once over its rows, and builds the predictions
/// with their full provenance: model and hash, arm, the served values with their ages, missing features, view and
/// spec versions, and the latency breakdown.
/// </summary>
public sealed class Scorer(ServingState state, SpecProvider specs, FeatureStoreReader reader, TimeProvider clock)
{
    public const string ProbabilityScore = "probability";

    public async Task<IReadOnlyList<ScoreOutcome>> ScoreAsync(IReadOnlyList<ScoringRequest> requests, string path, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var lease = state.Acquire();
        var spec = specs.Current;
        var routes = requests.Select(r => lease.Snapshot.Route(r.EventType, r.TenantId)).ToArray();

        var vectors = await ReadFeaturesAsync(requests, routes, spec, ct);
        var featuresSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        var rows = new AssembledRow?[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            if (routes[i] is { } route)
            {
                var own = vectors[i];
                rows[i] = ModelInputs.Assemble(route.Model.Model.Inputs, requests[i].Attributes, view => own.GetValueOrDefault(view));
            }
        }

        var probabilities = new float[requests.Count];
        var modelSeconds = new double[requests.Count];
        foreach (var group in Enumerable.Range(0, requests.Count)
                     .Where(i => rows[i] is { Unscorable: null })
                     .GroupBy(i => routes[i]!.Model))
        {
            var indexes = group.ToArray();
            var runStarted = Stopwatch.GetTimestamp();
            var columns = ModelInputs.Columns(group.Key.Model.Inputs, indexes.Select(i => rows[i]!).ToArray());
            var scores = group.Key.Model.Run(indexes.Length, columns);
            var elapsed = Stopwatch.GetElapsedTime(runStarted).TotalSeconds;
            InferenceMetrics.BatchSize.WithLabels(group.Key.Model.Key).Observe(indexes.Length);
            for (var k = 0; k < indexes.Length; k++)
            {
                probabilities[indexes[k]] = scores[k];
                modelSeconds[indexes[k]] = elapsed;
            }
        }

        var totalSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        InferenceMetrics.Latency.WithLabels("features", path).Observe(featuresSeconds);
        InferenceMetrics.Latency.WithLabels("total", path).Observe(totalSeconds);
        if (modelSeconds.Any(s => s > 0))
        {
            InferenceMetrics.Latency.WithLabels("model", path).Observe(modelSeconds.Max());
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var outcomes = new ScoreOutcome[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            if (routes[i] is not { } route)
            {
                outcomes[i] = new ScoreOutcome(requests[i], null,
                    $"no deployment scores event type '{requests[i].EventType}' for tenant '{requests[i].TenantId}'");
                continue;
            }
            var row = rows[i]!;
            var prediction = Build(requests[i], route, row, spec, vectors[i], now);
            prediction.latency_features_ms = featuresSeconds * 1000;
            prediction.latency_model_ms = modelSeconds[i] * 1000;
            prediction.latency_ms = totalSeconds * 1000;
            if (row.Unscorable is null)
            {
                prediction.scores = new Dictionary<string, double> { [ProbabilityScore] = probabilities[i] };
                prediction.decision = probabilities[i] >= 0.5f ? "positive" : "negative";
                InferenceMetrics.Predictions.WithLabels(route.Key, route.Arm.model_name, route.Arm.model_version, route.Arm.name, path).Inc();
            }
            else
            {
                InferenceMetrics.Unscored.WithLabels(path, "required_feature_missing").Inc();
            }
            foreach (var missing in row.Missing)
            {
                InferenceMetrics.MissingFeatures.WithLabels(route.Model.Model.Key, missing).Inc();
            }
            outcomes[i] = new ScoreOutcome(requests[i], prediction, null);
        }
        return outcomes;
    }

    /// <summary>
    /// The id a prediction is logged under. For a scored event it is derived from the event, deployment and arm, so a
    /// redelivered event yields the same id (consumers dedupe on it); an HTTP request without an event id gets a new one.
    /// </summary>
    public static string PredictionId(string? eventId, string deployment, string arm)
    {
        if (eventId is null)
        {
            return Guid.NewGuid().ToString("N");
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{eventId}\n{deployment}\n{arm}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    private async Task<Dictionary<string, FeatureVector>[]> ReadFeaturesAsync(
        IReadOnlyList<ScoringRequest> requests, DeploymentRoute?[] routes, PlatformSpec spec, CancellationToken ct)
    {
        var perRequest = new Dictionary<string, FeatureVector>[requests.Count];
        var reads = new List<FeatureRequest>();
        var owners = new List<(int Request, string View)>();
        for (var i = 0; i < requests.Count; i++)
        {
            perRequest[i] = new Dictionary<string, FeatureVector>(StringComparer.Ordinal);
            if (routes[i] is not { } route)
            {
                continue;
            }
            foreach (var viewName in route.Model.Views)
            {
                // A view the spec no longer has, or an event without the view's entity attributes: its features are
                // missing for this request and follow the model's policy for missing values.
                if (spec.FeatureViews.GetValueOrDefault(viewName) is not { } view
                    || EntityKey.Of(view, requests[i].Attributes) is not { } entity)
                {
                    continue;
                }
                reads.Add(new FeatureRequest(view, entity, DateTimeOffset.FromUnixTimeMilliseconds(requests[i].EventTimeMs).UtcDateTime));
                owners.Add((i, viewName));
            }
        }
        if (reads.Count == 0)
        {
            return perRequest;
        }
        ct.ThrowIfCancellationRequested();
        var vectors = await reader.ReadAsync(reads, clock.GetUtcNow().UtcDateTime);
        for (var k = 0; k < vectors.Count; k++)
        {
            perRequest[owners[k].Request][owners[k].View] = vectors[k];
        }
        return perRequest;
    }

    private static Prediction Build(
        ScoringRequest request, DeploymentRoute route, AssembledRow row, PlatformSpec spec,
        Dictionary<string, FeatureVector> vectors, DateTime now)
    {
        var model = route.Model.Model.Version;
        return new Prediction
        {
            prediction_id = PredictionId(request.EventId, route.Key, route.Arm.name),
            request_id = request.RequestId,
            event_id = request.EventId,
            tenant_id = request.TenantId,
            entity_id = request.EntityId,
            event_time = DateTimeOffset.FromUnixTimeMilliseconds(request.EventTimeMs).UtcDateTime,
            deployment = route.Deployment.deployment,
            arm = route.Arm.name,
            is_shadow = false,
            model_name = model.model_name,
            model_version = model.version,
            model_sha256 = model.artifact_sha256,
            scores = new Dictionary<string, double>(),
            decision = null,
            rule_versions = new Dictionary<string, string>(),
            fallback_reason = row.Unscorable is null ? null : $"unscored: {row.Unscorable}",
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
    }
}
