namespace MlOps.Common.Http;

/// <summary>Either events, or every problem, or "too many events".</summary>
public sealed record JsonParseResult(IReadOnlyList<ParsedEvent> Events, IReadOnlyList<JsonProblem> Problems, int? TooManyEvents, int Limit)
{
    public static JsonParseResult Ok(IReadOnlyList<ParsedEvent> events) => new(events, [], null, 0);

    public static JsonParseResult Failed(params JsonProblem[] problems) => new([], problems, null, 0);

    public static JsonParseResult TooMany(int count, int limit) => new([], [], count, limit);
}
