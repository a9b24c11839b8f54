using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using MlOps.Common.Features;
using MlOps.Common.Spec;

namespace MlOps.Features;

/// <summary>One (view, entity) pair of a batch read.</summary>
public sealed record FeatureReadItem(string? View, string? Entity);

/// <summary>POST /v1/features/read: many entities and views in one Redis round trip.</summary>
public sealed record FeatureReadRequest(IReadOnlyList<FeatureReadItem>? Requests, DateTime? At);

/// <summary>An entity's values as served: status, read time, newest event time, age and the values.</summary>
public sealed record FeatureReadResult(
    string View,
    [property: JsonPropertyName("view_version")] string ViewVersion,
    string Entity,
    string Status,
    DateTime At,
    [property: JsonPropertyName("newest_event_time")] DateTime? NewestEventTime,
    [property: JsonPropertyName("age_seconds")] double? AgeSeconds,
    IReadOnlyDictionary<string, object?> Values)
{
    public static FeatureReadResult From(FeatureVector v) => new(
        v.View, v.ViewVersion, v.Entity, v.Status.ToString().ToLowerInvariant(),
        DateTimeOffset.FromUnixTimeMilliseconds(v.AtMs).UtcDateTime,
        v.NewestEventTimeMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime : null,
        v.Age?.TotalSeconds,
        v.Values);
}

/// <summary>The online read API. Expired values are withheld and reported as expired; unknown views are 404.</summary>
public static class FeatureReadEndpoints
{
    public static async Task<IResult> ReadOneAsync(string view, string entity, string? at, SpecProvider specs, FeatureStoreReader reader, TimeProvider clock)
    {
        if (!specs.Current.FeatureViews.TryGetValue(view, out var definition))
        {
            return UnknownViews([view], specs.Current);
        }
        if (ReadTime.Parse(at, clock) is not { } time)
        {
            return Results.Problem(statusCode: 400, title: "Invalid read time", detail: $"at '{at}' is not an RFC 3339 time, e.g. 2026-03-01T17:05:00Z");
        }
        var vectors = await TimedReadAsync(reader, [new FeatureRequest(definition, entity)], time);
        return Results.Json(FeatureReadResult.From(vectors[0]));
    }

    /// <remarks>
    /// The body is read here rather than bound by the framework, whose binding failure is a bare 400: a malformed body
    /// is answered with what is wrong and where (the JSON path, e.g. <c>$.at</c>).
    /// </remarks>
    public static async Task<IResult> ReadManyAsync(
        HttpRequest request, SpecProvider specs, FeatureStoreReader reader, TimeProvider clock, IOptions<FeaturesOptions> options, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            return Results.Problem(statusCode: 415, title: "Unsupported media type", detail: "the body must be JSON (Content-Type: application/json)");
        }
        FeatureReadRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<FeatureReadRequest>(ct);
        }
        catch (JsonException ex)
        {
            return Results.Problem(statusCode: 400, title: "Malformed read request", detail: ex.Message);
        }
        if (body?.Requests is not { Count: > 0 } items)
        {
            return Results.Problem(statusCode: 400, title: "Nothing to read", detail: "the body needs \"requests\": [{\"view\": ..., \"entity\": ...}, ...]");
        }
        if (items.Count > options.Value.MaxReadEntities)
        {
            return Results.Problem(statusCode: 413, title: "Too many entities", detail: $"{items.Count} requests; at most {options.Value.MaxReadEntities} per call");
        }
        var spec = specs.Current;
        var problems = items.Select((item, i) => (item, i))
            .Where(x => string.IsNullOrEmpty(x.item.Entity) || x.item.View is null || !spec.FeatureViews.ContainsKey(x.item.View))
            .Select(x => string.IsNullOrEmpty(x.item.Entity)
                ? $"/requests/{x.i}/entity: is required"
                : $"/requests/{x.i}/view: '{x.item.View}' is not a feature view")
            .ToList();
        if (problems.Count > 0)
        {
            return Results.Problem(statusCode: 400, title: "Invalid read", detail: string.Join("; ", problems),
                extensions: new Dictionary<string, object?> { ["errors"] = problems, ["views"] = spec.FeatureViews.Keys.Order(StringComparer.Ordinal).ToList() });
        }
        var time = ReadTime.Resolve(body.At, clock);
        var vectors = await TimedReadAsync(reader, items.Select(i => new FeatureRequest(spec.FeatureViews[i.View!], i.Entity!)).ToList(), time);
        return Results.Json(new { results = vectors.Select(FeatureReadResult.From) });
    }

    private static async Task<IReadOnlyList<FeatureVector>> TimedReadAsync(FeatureStoreReader reader, IReadOnlyList<FeatureRequest> requests, DateTime at)
    {
        var started = Stopwatch.GetTimestamp();
        var vectors = await reader.ReadAsync(requests, at);
        FeaturesMetrics.RedisSeconds.WithLabels("read").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        foreach (var vector in vectors)
        {
            FeaturesMetrics.Reads.WithLabels(vector.View, vector.Status.ToString().ToLowerInvariant()).Inc();
        }
        return vectors;
    }

    private static IResult UnknownViews(IEnumerable<string> views, PlatformSpec spec) => Results.Problem(
        statusCode: 404,
        title: "Unknown feature view",
        detail: $"{string.Join(", ", views.Select(v => $"'{v}'"))} is not a feature view of spec {spec.VersionTag}; views: {string.Join(", ", spec.FeatureViews.Keys.Order(StringComparer.Ordinal))}");
}
