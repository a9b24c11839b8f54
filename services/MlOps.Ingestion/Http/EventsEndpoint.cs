using MlOps.Common.Http;
using Microsoft.Extensions.Options;
using MlOps.Ingestion.Pipeline;

namespace MlOps.Ingestion.Http;

/// <summary>
/// <c>POST /v1/events</c>: one event or an array. 202 with one outcome per event once every output is durable in
/// Kafka; 400 problem+json naming every structural problem; 413 when the body or the batch is too large;
/// 503 when Kafka or Redis cannot take the events now (retrying the request is safe: an event whose output was
/// written before the failure is answered as a duplicate, never published twice); 503 with Retry-After when an event
/// of the request is being accepted by another request right now (nothing of the request was accepted).
/// </summary>
public static class EventsEndpoint
{
    public const string Path = "/v1/events";

    public static async Task<IResult> HandleAsync(
        HttpContext http, IngestionPipeline pipeline, IOptions<IngestionOptions> options, CancellationToken ct)
    {
        var limits = options.Value;
        if (http.Request.ContentLength > limits.MaxHttpBodyBytes)
        {
            return TooLarge($"the body of {http.Request.ContentLength} bytes exceeds Ingestion:MaxHttpBodyBytes ({limits.MaxHttpBodyBytes})");
        }
        var body = await RequestBody.ReadAsync(http.Request, limits.MaxHttpBodyBytes, ct);
        if (body is null)
        {
            return TooLarge($"the body exceeds Ingestion:MaxHttpBodyBytes ({limits.MaxHttpBodyBytes})");
        }
        var parsed = JsonEventParser.Parse(body.Value, limits.MaxHttpBatchEvents);
        if (parsed.TooManyEvents is { } count)
        {
            return TooLarge($"the batch holds {count} events; Ingestion:MaxHttpBatchEvents is {parsed.Limit}");
        }
        if (parsed.Problems.Count > 0)
        {
            return Results.Problem(
                title: "Malformed events",
                detail: string.Join("; ", parsed.Problems.Select(p => $"{(p.Pointer.Length == 0 ? "body" : p.Pointer)}: {p.Message}")),
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = parsed.Problems });
        }

        var source = EventSource.Http(http.TraceIdentifier + ":" + Guid.NewGuid().ToString("N"));
        var trace = http.Request.Headers["traceparent"].FirstOrDefault();
        var inputs = parsed.Events.Select(e => IncomingEvent.Decoded(source, null, e.RawJson, e.Envelope, trace)).ToList();
        IReadOnlyList<IngestionOutcome> outcomes;
        try
        {
            outcomes = await pipeline.ProcessAsync(inputs, ct);
        }
        catch (EventsInFlightException ex)
        {
            return InFlight(http, ex);
        }
        catch (Exception ex) when (MlOps.Common.Kafka.TransientErrors.IsTransient(ex))
        {
            return Results.Problem(title: "Events not accepted",
                detail: $"a dependency is unavailable ({ex.GetType().Name}); retry later (events already written are answered as duplicates)",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return Results.Json(EventsResponse.From(outcomes), statusCode: StatusCodes.Status202Accepted);
    }

    private const int MaxRetryAfterSeconds = 5;

    /// <summary>
    /// The request's events wait on claims held elsewhere: answering "duplicate" would lose them should that attempt
    /// fail, answering 202 would publish them twice should it succeed. Retry-After is when the longest of those claims
    /// expires at the latest (most settle far sooner), at most 5 s.
    /// </summary>
    private static IResult InFlight(HttpContext http, EventsInFlightException ex)
    {
        // Capped: the holder is most often a request about to finish, not a crashed one holding its claim to the end.
        var seconds = Math.Clamp((int)Math.Ceiling((ex.LongestWait ?? TimeSpan.FromSeconds(1)).TotalSeconds), 1, MaxRetryAfterSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var ids = ex.Events.Select(e => e.EventId).Distinct(StringComparer.Ordinal).ToList();
        return Results.Problem(
            title: "Events in flight",
            detail: $"{ids.Count} event(s) are being accepted by another request or attempt ({string.Join(", ", ids.Take(10))}{(ids.Count > 10 ? ", ..." : "")}); "
                + $"nothing of this request was accepted; retry after {seconds} s",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            extensions: new Dictionary<string, object?> { ["in_flight"] = ids });
    }

    private static IResult TooLarge(string detail) =>
        Results.Problem(title: "Payload too large", detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge);
}
