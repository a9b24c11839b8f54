using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using MlOps.Common.Http;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Inference.Serving;

namespace MlOps.Inference;

/// <summary>One instance's result, in request order.</summary>
public sealed record PredictResult(
    int Index,
    [property: JsonPropertyName("event_id")] string? EventId,
    [property: JsonPropertyName("prediction_id")] string? PredictionId,
    string? Deployment,
    string? Arm,
    string? Model,
    double? Probability,
    string? Decision,
    [property: JsonPropertyName("served_features")] IDictionary<string, object?>? ServedFeatures,
    [property: JsonPropertyName("missing_features")] IList<string>? MissingFeatures,
    [property: JsonPropertyName("latency_ms")] double? LatencyMs,
    [property: JsonPropertyName("served_by")] string? ServedBy,
    [property: JsonPropertyName("fallback_reason")] string? FallbackReason,
    [property: JsonPropertyName("route_bucket")] int? RouteBucket,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

/// <summary>
/// <c>POST /v1/predict</c>: one event or an array (the JSON event format of <c>POST /v1/events</c>), scored
/// synchronously with the deployment for its event type and tenant. Every prediction is durable in
/// mlops.predictions before the 200 is sent (unless Inference:HttpAwaitsLog is false). 400 problem+json names every structural
/// problem, or every attribute value that breaks its event type's data contract; 413 for too many
/// instances or too large a body; 503 when Redis or Kafka cannot serve now.
/// </summary>
public static class PredictEndpoint
{
    public const string Path = "/v1/predict";
    private const string Source = "http";

    public static async Task<IResult> HandleAsync(
        HttpContext http, Scorer scorer, PredictionLog log, SpecProvider specs, TimeProvider clock, IOptions<InferenceOptions> options,
        CancellationToken ct)
    {
        var limits = options.Value;
        var body = await RequestBody.ReadAsync(http.Request, limits.MaxHttpBodyBytes, ct);
        if (body is null)
        {
            return TooLarge($"the body exceeds Inference:MaxHttpBodyBytes ({limits.MaxHttpBodyBytes})");
        }
        var parsed = JsonEventParser.Parse(body.Value, limits.MaxInstances);
        if (parsed.TooManyEvents is { } count)
        {
            return TooLarge($"the request holds {count} instances; Inference:MaxInstances is {parsed.Limit}");
        }
        if (parsed.Problems.Count > 0)
        {
            return BadRequest("Malformed instances", parsed.Problems);
        }
        var broken = InstanceContractCheck.Problems(parsed.Events, specs.Current, clock.GetUtcNow().UtcDateTime);
        if (broken.Count > 0)
        {
            return BadRequest("Instances break their data contract", broken);
        }

        var trace = http.Request.Headers["traceparent"].FirstOrDefault() ?? LineageHeaders.NewTraceParent();
        var requests = parsed.Events.Select(e => new ScoringRequest(
            e.Envelope.event_id,
            http.TraceIdentifier,
            e.Envelope.tenant_id,
            e.Envelope.entity_id,
            e.Envelope.event_type,
            new DateTimeOffset(DateTime.SpecifyKind(e.Envelope.event_time, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
            e.Envelope.attributes.AsReadOnly()!,
            new ScoringSource(Source, null, null, trace))).ToList();
        try
        {
            var outcomes = await scorer.ScoreAsync(requests, Source, ct);
            var predictions = outcomes.SelectMany(o => o.Logged).ToList(); // shadows are logged, never answered
            if (limits.HttpAwaitsLog)
            {
                await log.WriteAsync(predictions, ct);
            }
            else
            {
                log.WriteInBackground(predictions);
            }
            return Results.Json(new { predictions = outcomes.Select(Result).ToList() });
        }
        catch (Exception ex) when (TransientErrors.IsTransient(ex))
        {
            return Results.Problem(title: "Not scored", detail: $"a dependency is unavailable ({ex.GetType().Name}); retry later",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static PredictResult Result(ScoreOutcome outcome, int index)
    {
        if (outcome.Prediction is not { } p)
        {
            return new PredictResult(index, outcome.Request.EventId, null, null, null, null, null, null, null, null, null, null, null, null, outcome.NotScoredReason);
        }
        var scored = p.scores.TryGetValue(Scorer.ProbabilityScore, out var probability);
        return new PredictResult(
            index, p.event_id, p.prediction_id, p.deployment, p.arm, p.ModelKey,
            scored ? probability : null, p.decision, p.served_features, p.missing_features, p.latency_ms,
            p.served_by, p.fallback_reason, p.route_bucket, scored ? null : $"not scored: {p.fallback_reason}");
    }

    private static IResult BadRequest(string title, IReadOnlyList<JsonProblem> problems) => Results.Problem(
        title: title,
        detail: string.Join("; ", problems.Select(p => $"{(p.Pointer.Length == 0 ? "body" : p.Pointer)}: {p.Message}")),
        statusCode: StatusCodes.Status400BadRequest,
        extensions: new Dictionary<string, object?> { ["errors"] = problems });

    private static IResult TooLarge(string detail) =>
        Results.Problem(title: "Payload too large", detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge);
}
