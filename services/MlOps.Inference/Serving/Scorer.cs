using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MlOps.Common.Features;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Models.Rules;

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

/// <summary>
/// Scores a micro-batch: routes each request to its deployment and, by a stable hash of its routing key, to an arm;
/// reads every feature the batch needs in one pipelined Redis round trip (at each request's event time); runs each
/// model once over all its rows (serving arms, shadows and fallbacks alike); walks the fallback chain for rows whose
/// model failed (error, timeout, NaN or out-of-range output, a required feature missing), ending with the
/// deployment's constant; and builds the predictions with their full provenance: model and hash, arm and bucket,
/// what served and why, the served values with their ages, missing features, view and spec versions, and the
/// latency breakdown.
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

        var vectors = await ReadFeaturesAsync(requests, routes, spec, ct);
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
            Run(next.Where(j => j.RetryFailure is null));
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
                var prediction = Build(requests[i], job, spec, vectors[i], now, path);
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
            foreach (var viewName in route.Views)
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

    private static Prediction Build(ScoringRequest request, ScoringJob job, PlatformSpec spec, Dictionary<string, FeatureVector> vectors, DateTime now, string path)
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
            prediction_id = PredictionId(request.EventId, route.Key, job.Arm),
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
            served_by = constant is not null ? "fallback:constant" : !scoredByModel ? ServedByNone : job.Level == 0 ? "arm" : $"fallback:{job.Model.Model.Key}",
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
            prediction.scores[ProbabilityScore] = probability;
            prediction.decision = probability >= 0.5 ? "positive" : "negative";
            ApplyRules(prediction, request, route, probability);
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

    /// <summary>
    /// The output rules of the prediction's arm (its own, else the deployment's) decide what is served (the model's own
    /// score stays in scores["model_probability"] when a rule changed it), and rule_versions names the set applied; the
    /// deployment's shadow rule set is evaluated on the same score and only logged.
    /// </summary>
    internal static void ApplyRules(Prediction prediction, ScoringRequest request, DeploymentRoute route, double probability)
    {
        var armRules = route.RulesFor(prediction.arm);
        if (armRules is null && route.ShadowRules is null)
        {
            return;
        }
        var inputs = new Dictionary<string, object?>(prediction.served_features, StringComparer.Ordinal);
        foreach (var (name, value) in request.Attributes)
        {
            inputs.TryAdd($"{MlOps.Models.FeatureName.EventPrefix}.{name}", value);
        }
        var input = new RuleInput(request.TenantId, request.EntityId, inputs);
        if (armRules is { } rules)
        {
            var result = rules.Apply(probability, input);
            if (result.Probability != probability)
            {
                prediction.scores["model_probability"] = probability;
                prediction.scores[ProbabilityScore] = result.Probability;
            }
            prediction.decision = result.Decision;
            prediction.rules_fired = result.Fired.ToList();
            prediction.rule_versions[rules.Set.name] = rules.Set.version;
            // The metric counts rules that changed a served prediction; a shadow's is logged with its rules, not served.
            foreach (var fired in prediction.is_shadow ? [] : result.Fired)
            {
                InferenceMetrics.RulesFired.WithLabels(rules.Key, fired).Inc();
            }
        }
        if (route.ShadowRules is { } shadow)
        {
            var result = shadow.Apply(probability, input);
            prediction.shadow_decision = result.Decision;
            prediction.shadow_rules_fired = result.Fired.ToList();
        }
    }
}
