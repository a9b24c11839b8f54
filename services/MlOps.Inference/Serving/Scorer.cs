using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using MlOps.Common.Features;
using MlOps.Common.Spec;
using MlOps.Contracts;

namespace MlOps.Inference.Serving;

/// <summary>
/// Scores a micro-batch: routes each request to its deployment and, by a stable hash of its routing key, to an arm;
/// reads every feature the batch needs in one pipelined Redis round trip (at each request's event time, see
/// <see cref="BatchFeatureReads"/>); runs each model once over all its rows (serving arms, shadows and fallbacks
/// alike); walks the fallback chain for rows whose model failed (error, timeout, NaN or out-of-range output, a
/// required feature missing), ending with the deployment's constant; and builds the predictions with their full
/// provenance (<see cref="PredictionBuilder"/>): model and hash, arm and bucket, what served and why, the served
/// values with their ages, missing features, view and spec versions, and the latency breakdown.
/// </summary>
public sealed class Scorer(ServingState state, SpecProvider specs, FeatureStoreReader reader, TimeProvider clock)
{
    public const string ProbabilityScore = "probability";

    /// <summary>Prediction.served_by of an unscored prediction: neither the arm's model, a fallback nor a constant served.</summary>
    public const string ServedByNone = "none";

    /// <summary>Raised when a model's score could not be served: (deployment key, model key, failure).</summary>
    public event Action<string, string, ScoringFailure>? ModelFailed;

    /// <summary>
    /// Raised when a shadow arm's model could not score a row: (deployment key, shadow arm, model key, failure). Its
    /// own event, not <see cref="ModelFailed"/>: a shadow has no fallback and serves nothing, so nothing fell back.
    /// </summary>
    public event Action<string, string, string, ScoringFailure>? ShadowFailed;

    public async Task<IReadOnlyList<ScoreOutcome>> ScoreAsync(IReadOnlyList<ScoringRequest> requests, string path, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var lease = state.Acquire();
        var spec = specs.Current;
        var routes = requests.Select(r => lease.Snapshot.Route(r.EventType, r.TenantId)).ToArray();

        var vectors = await BatchFeatureReads.ReadAsync(reader, clock, requests, routes, spec, ct);
        var featuresSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        var jobs = new List<ScoringJob>();
        for (var i = 0; i < requests.Count; i++)
        {
            if (routes[i] is not { } route)
            {
                continue;
            }
            var deployment = route.Deployment;
            var bucket = ArmRouter.Bucket(deployment.deployment, ArmRouter.KeyOf(deployment, requests[i].TenantId, requests[i].EntityId));
            if (ArmRouter.Choose(deployment, bucket) is { } arm)
            {
                jobs.Add(new ScoringJob(i, route, arm.name, Shadow: false, bucket, route.Arms[arm.name]));
            }
            jobs.AddRange(route.Shadows.Select(shadow => new ScoringJob(i, route, shadow.name, Shadow: true, bucket, route.Arms[shadow.name])));
        }
        foreach (var job in jobs)
        {
            job.Assemble(requests[job.Request].Attributes, vectors[job.Request]);
            Report(job);
        }
        Run(jobs.Where(j => j.Failure is null));

        // The fallback chain, one level at a time (each level one run per model), for served rows only.
        for (var level = 0; ; level++)
        {
            var next = jobs.Where(j => !j.Shadow && j.Probability is null && level < j.Route.Fallbacks.Count).ToList();
            if (next.Count == 0)
            {
                break;
            }
            foreach (var job in next)
            {
                job.Retry(job.Route.Fallbacks[level], requests[job.Request].Attributes, vectors[job.Request]);
                Report(job);
            }
            Run(next.Where(j => j.Failure is null));
        }

        var totalSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        InferenceMetrics.Latency.WithLabels("features", path).Observe(featuresSeconds);
        InferenceMetrics.Latency.WithLabels("total", path).Observe(totalSeconds);
        if (jobs.Count > 0 && jobs.Max(j => j.ModelSeconds) is > 0 and var modelSeconds)
        {
            InferenceMetrics.Latency.WithLabels("model", path).Observe(modelSeconds);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var byRequest = jobs.ToLookup(j => j.Request);
        var outcomes = new ScoreOutcome[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            if (routes[i] is null)
            {
                outcomes[i] = new ScoreOutcome(requests[i], null,
                    $"no deployment scores event type '{requests[i].EventType}' for tenant '{requests[i].TenantId}'", []);
                continue;
            }
            Prediction? served = null;
            var shadows = new List<Prediction>();
            foreach (var job in byRequest[i])
            {
                var prediction = PredictionBuilder.Build(requests[i], job, spec, vectors[i], now, path);
                prediction.latency_features_ms = featuresSeconds * 1000;
                prediction.latency_model_ms = job.ModelSeconds * 1000;
                prediction.latency_ms = totalSeconds * 1000;
                if (job.Shadow)
                {
                    shadows.Add(prediction);
                }
                else
                {
                    served = prediction;
                }
            }
            outcomes[i] = new ScoreOutcome(requests[i], served, served is null ? $"deployment '{routes[i]!.Key}' has no serving arm" : null, shadows);
        }
        return outcomes;
    }

    /// <summary>Counts and announces the current attempt's failure, if it has one.</summary>
    private void Report(ScoringJob job)
    {
        if (job.Failure is { } failure)
        {
            InferenceMetrics.ModelFailures.WithLabels(job.Route.Key, job.Model.Model.Key, failure.Code).Inc();
            if (job.Shadow)
            {
                ShadowFailed?.Invoke(job.Route.Key, job.Arm, job.Model.Model.Key, failure);
            }
            else
            {
                ModelFailed?.Invoke(job.Route.Key, job.Model.Model.Key, failure);
            }
        }
    }

    /// <summary>One ONNX run per model over the jobs' current rows; a failed run, a slow run or a bad score fails the row.</summary>
    private void Run(IEnumerable<ScoringJob> jobs)
    {
        foreach (var group in jobs.GroupBy(j => j.Model))
        {
            var batch = group.ToArray();
            var model = group.Key.Model;
            var runStarted = Stopwatch.GetTimestamp();
            float[]? scores = null;
            ScoringFailure? failure = null;
            try
            {
                scores = model.Run(batch.Length, ModelInputs.Columns(model.Inputs, batch.Select(j => j.Row).ToArray()));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failure = new ScoringFailure(ScoringFailure.ModelError, $"{model.Key} failed: {ex.GetType().Name}: {ex.Message}");
            }
            var elapsed = Stopwatch.GetElapsedTime(runStarted);
            InferenceMetrics.BatchSize.WithLabels(model.Key).Observe(batch.Length);
            for (var k = 0; k < batch.Length; k++)
            {
                var job = batch[k];
                job.ModelSeconds += elapsed.TotalSeconds;
                var score = scores?[k];
                var rowFailure = failure ?? ScoringFailure.Of(model.Key, score, elapsed, job.Route.Deployment.model_timeout_ms);
                if (rowFailure is null)
                {
                    job.Probability = score;
                }
                else
                {
                    job.Fail(rowFailure);
                    Report(job);
                }
            }
        }
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

    /// <inheritdoc cref="PredictionRules.Apply"/>
    internal static void ApplyRules(Prediction prediction, ScoringRequest request, DeploymentRoute route, double probability) =>
        PredictionRules.Apply(prediction, request, route, probability);
}
