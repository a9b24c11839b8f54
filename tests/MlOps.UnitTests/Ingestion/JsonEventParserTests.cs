using System.Text;
using MlOps.Common.Http;

namespace MlOps.UnitTests.Ingestion;

public sealed class JsonEventParserTests
{
    private const string Valid = """
        {"event_id":"e1","tenant_id":"t","entity_id":"AA100","event_type":"flight_departure",
         "event_time":"2026-03-01T17:05:00+02:00","attributes":{"origin":"JFK","distance":2475.5,"dep_hour":17,"late":true,"gate":null},
         "producer":{"producer_id":"app","producer_version":"1.2"}}
        """;

    [Fact]
    public void A_single_event_maps_to_an_envelope_with_typed_attributes_and_utc_time()
    {
        var result = Parse(Valid);

        var envelope = Assert.Single(result.Events).Envelope;
        Assert.Empty(result.Problems);
        Assert.Equal(new DateTime(2026, 3, 1, 15, 5, 0, DateTimeKind.Utc), envelope.event_time);
        Assert.Equal(2475.5, envelope.attributes["distance"]);
        Assert.Equal(17L, envelope.attributes["dep_hour"]);
        Assert.Equal(true, envelope.attributes["late"]);
        Assert.Null(envelope.attributes["gate"]);
        Assert.Equal("app", envelope.producer.producer_id);
    }

    [Fact]
    public void An_array_keeps_each_events_own_json_as_raw_bytes()
    {
        var result = Parse($"[{Valid},{Valid.Replace("\"e1\"", "\"e2\"", StringComparison.Ordinal)}]");

        Assert.Equal(["e1", "e2"], result.Events.Select(e => e.Envelope.event_id));
        Assert.Contains("\"e2\"", Encoding.UTF8.GetString(result.Events[1].RawJson), StringComparison.Ordinal);
        Assert.DoesNotContain("\"e1\"", Encoding.UTF8.GetString(result.Events[1].RawJson), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_structural_problem_is_named_with_its_json_pointer()
    {
        var result = Parse("""[{"event_id":7,"tenant_id":"t","entity_id":"x","event_time":"yesterday","attributes":{"a":[1]},"colour":"red"}]""");

        Assert.Empty(result.Events);
        var problems = result.Problems.Select(p => p.Pointer + " " + p.Message).ToList();
        Assert.Contains(problems, p => p.StartsWith("/0/event_id event_id must be a string", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("/0/event_type event_type is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("/0/event_time event_time 'yesterday' is not RFC 3339", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("/0/attributes/a an attribute must be", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("/0/colour unknown field 'colour'", StringComparison.Ordinal));
        Assert.Equal(5, problems.Count);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public void A_number_beyond_double_range_is_refused_at_its_pointer_not_read_as_infinity(string number)
    {
        var result = Parse($$$"""[{{{Valid}}},{"event_id":"e","tenant_id":"t","entity_id":"x","event_type":"y","event_time":"2026-03-01T17:05:00Z","attributes":{"distance":{{{number}}},"tiny":1e-400}}]""");

        Assert.Empty(result.Events);
        var problem = Assert.Single(result.Problems); // 1e-400 underflows to 0, which is finite: not a problem
        Assert.Equal("/1/attributes/distance", problem.Pointer);
        Assert.Contains($"number {number} is outside the range of a double", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"event_id\":", "not valid JSON")]
    [InlineData("42", "must be an event object or an array")]
    [InlineData("[]", "holds no events")]
    [InlineData("""{"event_id":"e","tenant_id":"t","entity_id":"x","event_type":"y","event_time":"2026-03-01 17:05:00"}""", "not RFC 3339")]
    public void Malformed_bodies_are_refused_with_a_reason(string body, string reason) =>
        Assert.Contains(reason, Assert.Single(Parse(body).Problems).Message, StringComparison.Ordinal);

    [Fact]
    public void A_batch_over_the_limit_is_reported_as_too_many_not_parsed()
    {
        var result = JsonEventParser.Parse(Encoding.UTF8.GetBytes($"[{Valid},{Valid},{Valid}]"), maxEvents: 2);

        Assert.Equal(3, result.TooManyEvents);
        Assert.Equal(2, result.Limit);
        Assert.Empty(result.Events);
    }

    private static JsonParseResult Parse(string json) => JsonEventParser.Parse(Encoding.UTF8.GetBytes(json), maxEvents: 100);
}
