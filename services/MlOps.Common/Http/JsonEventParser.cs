using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MlOps.Contracts;

namespace MlOps.Common.Http;

/// <summary>
/// Parses the HTTP body — one event object or an array of them — into envelopes, collecting every structural
/// problem with its JSON pointer. Contract rules (bounds, categories, ...) are not checked here: an event that is
/// well-formed JSON of the right shape is accepted and then validated or quarantined like Kafka input.
/// </summary>
public static partial class JsonEventParser
{
    private static readonly HashSet<string> Fields =
        ["event_id", "tenant_id", "entity_id", "event_type", "event_time", "attributes", "producer"];

    public static JsonParseResult Parse(ReadOnlyMemory<byte> body, int maxEvents)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            return JsonParseResult.Failed(new JsonProblem("", $"not valid JSON: {ex.Message}"));
        }
        using (document)
        {
            var root = document.RootElement;
            var (items, prefix) = root.ValueKind switch
            {
                JsonValueKind.Array => (root.EnumerateArray().ToList(), (Func<int, string>)(i => "/" + i.ToString(CultureInfo.InvariantCulture))),
                JsonValueKind.Object => ([root], _ => ""),
                _ => ((List<JsonElement>?)null, (Func<int, string>)(_ => "")),
            };
            if (items is null)
            {
                return JsonParseResult.Failed(new JsonProblem("", $"the body must be an event object or an array of them, not {root.ValueKind}"));
            }
            if (items.Count == 0)
            {
                return JsonParseResult.Failed(new JsonProblem("", "the array holds no events"));
            }
            if (items.Count > maxEvents)
            {
                return JsonParseResult.TooMany(items.Count, maxEvents);
            }
            var problems = new List<JsonProblem>();
            var events = new List<ParsedEvent>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                var at = prefix(i);
                var envelope = ParseEvent(items[i], at, problems);
                events.Add(new ParsedEvent(envelope, Encoding.UTF8.GetBytes(items[i].GetRawText()), at));
            }
            return problems.Count > 0 ? JsonParseResult.Failed([.. problems]) : JsonParseResult.Ok(events);
        }
    }

    private static EventEnvelope ParseEvent(JsonElement item, string at, List<JsonProblem> problems)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new JsonProblem(at, $"an event must be an object, not {item.ValueKind}"));
            return new EventEnvelope();
        }
        foreach (var property in item.EnumerateObject().Where(p => !Fields.Contains(p.Name)))
        {
            problems.Add(new JsonProblem($"{at}/{property.Name}", $"unknown field '{property.Name}'; fields are {string.Join(", ", Fields)}"));
        }
        return new EventEnvelope
        {
            event_id = RequiredString(item, "event_id", at, problems),
            tenant_id = RequiredString(item, "tenant_id", at, problems),
            entity_id = RequiredString(item, "entity_id", at, problems),
            event_type = RequiredString(item, "event_type", at, problems),
            event_time = EventTime(item, at, problems),
            attributes = Attributes(item, at, problems),
            producer = Producer(item, at, problems),
        };
    }

    private static string RequiredString(JsonElement item, string name, string at, List<JsonProblem> problems)
    {
        if (item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }
        problems.Add(new JsonProblem($"{at}/{name}", value.ValueKind == JsonValueKind.Undefined ? $"{name} is required" : $"{name} must be a string"));
        return "";
    }

    private static DateTime EventTime(JsonElement item, string at, List<JsonProblem> problems)
    {
        var text = item.TryGetProperty("event_time", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
        if (text is not null && Rfc3339().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return parsed.UtcDateTime;
        }
        problems.Add(new JsonProblem($"{at}/event_time",
            text is null ? "event_time is required as an RFC 3339 string" : $"event_time '{Truncate(text)}' is not RFC 3339 (e.g. 2026-03-01T17:05:00Z)"));
        return default;
    }

    private static Dictionary<string, object> Attributes(JsonElement item, string at, List<JsonProblem> problems)
    {
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
        if (!item.TryGetProperty("attributes", out var value))
        {
            return attributes;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new JsonProblem($"{at}/attributes", "attributes must be an object"));
            return attributes;
        }
        foreach (var property in value.EnumerateObject())
        {
            object? converted = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number when property.Value.TryGetInt64(out var whole) => whole,
                // 1e400 reads as +Infinity, which no contract bound catches and no JSON or Avro consumer expects back.
                JsonValueKind.Number when property.Value.TryGetDouble(out var real) && double.IsFinite(real) => real,
                JsonValueKind.Number => Invalid(problems, $"{at}/attributes/{property.Name}",
                    $"number {Truncate(property.Value.GetRawText())} is outside the range of a double"),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => Invalid(problems, $"{at}/attributes/{property.Name}", "an attribute must be a string, number, boolean or null"),
            };
            attributes[property.Name] = converted!;
        }
        return attributes;
    }

    private static ProducerMetadata Producer(JsonElement item, string at, List<JsonProblem> problems)
    {
        if (!item.TryGetProperty("producer", out var value))
        {
            return new ProducerMetadata { producer_id = "http" };
        }
        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("producer_id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            problems.Add(new JsonProblem($"{at}/producer", "producer must be an object with a string producer_id"));
            return new ProducerMetadata { producer_id = "http" };
        }
        return new ProducerMetadata
        {
            producer_id = id.GetString(),
            producer_version = OptionalString(value, "producer_version"),
            host = OptionalString(value, "host"),
        };
    }

    private static string? OptionalString(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static object? Invalid(List<JsonProblem> problems, string pointer, string message)
    {
        problems.Add(new JsonProblem(pointer, message));
        return null;
    }

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
