using MlOps.Common.Spec;
using MlOps.Common.Validation;

namespace MlOps.UnitTests.Validation;

public sealed class EventValidatorTests
{
    private static readonly DateTime Now = new(2026, 3, 1, 17, 0, 0, DateTimeKind.Utc);

    private static readonly PlatformSpec Spec = SpecLoader.Parse("""
        spec: flights
        version: "3"
        contracts:
          flight_departure:
            version: "2"
            max_attributes: 6
            max_event_bytes: 1000
            max_clock_skew: 5m
            max_age: 30d
            attributes:
              origin:   { type: string, required: true, pattern: "[A-Z]{3}" }
              distance: { type: double, required: true, min: 0, max: 6000 }
              dep_hour: { type: long, required: true, min: 0, max: 23 }
              carrier:  { type: string, max_length: 3, allowed_values: [AA, DL, UA, JBLU] }
              diverted: { type: boolean }
          open_event:
            version: "1"
            allow_unknown_attributes: true
        """, "test.yaml");

    private static EventCandidate Departure(Action<Dictionary<string, object?>>? edit = null, DateTime? eventTime = null, int size = 200,
        string eventType = "flight_departure", string eventId = "e-1")
    {
        var attributes = new Dictionary<string, object?> { ["origin"] = "JFK", ["distance"] = 2475.0, ["dep_hour"] = 17L, ["carrier"] = "AA" };
        edit?.Invoke(attributes);
        return new EventCandidate(eventId, "airline-a", "AA100", eventType, eventTime ?? Now.AddMinutes(-1), attributes, size);
    }

    private static List<(string Rule, string? Attribute)> Violations(EventCandidate candidate) =>
        EventValidator.Validate(candidate, Spec, Now).Select(v => (v.Rule, v.Attribute)).ToList();

    [Fact]
    public void A_conforming_event_has_no_violations()
    {
        Assert.Empty(Violations(Departure()));
        Assert.Empty(Violations(Departure(a => { a.Remove("carrier"); a["diverted"] = true; })));
        Assert.Empty(Violations(Departure(a => a["distance"] = 2475L))); // integral numbers are fine doubles
    }

    public static TheoryData<string, Action<Dictionary<string, object?>>, string, string?> AttributeCases => new()
    {
        { "missing required", a => a.Remove("origin"), RuleCodes.Required, "origin" },
        { "null required", a => a["origin"] = null, RuleCodes.Required, "origin" },
        { "wrong type", a => a["dep_hour"] = "seventeen", RuleCodes.Type, "dep_hour" },
        { "double for a long", a => a["dep_hour"] = 17.5, RuleCodes.Type, "dep_hour" },
        { "string for a boolean", a => a["diverted"] = "yes", RuleCodes.Type, "diverted" },
        { "NaN", a => a["distance"] = double.NaN, RuleCodes.Type, "distance" },
        { "below min", a => a["distance"] = -1.0, RuleCodes.Min, "distance" },
        { "above max", a => a["dep_hour"] = 24L, RuleCodes.Max, "dep_hour" },
        { "unseen category", a => a["carrier"] = "ZZ", RuleCodes.AllowedValues, "carrier" },
        { "pattern", a => a["origin"] = "jfk", RuleCodes.Pattern, "origin" },
        { "max length", a => a["carrier"] = "JBLU", RuleCodes.MaxLength, "carrier" },
        { "undeclared attribute", a => a["gate"] = "B12", RuleCodes.UnknownAttribute, "gate" },
        { "too many attributes", a => { a["diverted"] = false; a["x"] = 1L; a["y"] = 2L; }, RuleCodes.MaxAttributes, null },
    };

    [Theory]
    [MemberData(nameof(AttributeCases))]
    public void Each_attribute_rule_is_enforced(string _, Action<Dictionary<string, object?>> edit, string rule, string? attribute)
    {
        Assert.Contains((rule, attribute), Violations(Departure(edit)));
    }

    [Fact]
    public void Event_level_rules_are_enforced()
    {
        Assert.Equal([(RuleCodes.MaxEventBytes, null)], Violations(Departure(size: 1001)));
        Assert.Empty(Violations(Departure(size: 1000)));
        Assert.Equal([(RuleCodes.ClockSkew, "event_time")], Violations(Departure(eventTime: Now.AddMinutes(6))));
        Assert.Empty(Violations(Departure(eventTime: Now.AddMinutes(5))));
        Assert.Equal([(RuleCodes.MaxAge, "event_time")], Violations(Departure(eventTime: Now.AddDays(-31))));
        Assert.Equal([(RuleCodes.UnknownEventType, "event_type")], Violations(Departure(eventType: "teleport")));
        Assert.Equal([(RuleCodes.MissingField, "event_id")], Violations(Departure(eventId: " ")));
    }

    [Fact]
    public void Every_violation_is_reported_not_just_the_first()
    {
        var candidate = Departure(a =>
        {
            a.Remove("origin");
            a["distance"] = 99_999.0;
            a["dep_hour"] = "x";
            a["carrier"] = "ZZZZ";
            a["gate"] = "B12";
        }, eventTime: Now.AddDays(2), size: 5000);

        Assert.Equal(
        [
            (RuleCodes.MaxEventBytes, null),
            (RuleCodes.ClockSkew, "event_time"),
            (RuleCodes.Required, "origin"),
            (RuleCodes.Max, "distance"),
            (RuleCodes.Type, "dep_hour"),
            (RuleCodes.MaxLength, "carrier"),
            (RuleCodes.AllowedValues, "carrier"),
            (RuleCodes.UnknownAttribute, "gate"),
        ], Violations(candidate));
    }

    [Fact]
    public void Violations_name_the_offending_value_truncated()
    {
        var huge = new string('Q', 10_000);
        var violation = Assert.Single(EventValidator.Validate(Departure(a => a["origin"] = huge), Spec, Now));
        Assert.Equal(RuleCodes.Pattern, violation.Rule);
        Assert.Equal(RuleViolation.MaxValueLength + 1, violation.Value!.Length);
        Assert.EndsWith("…", violation.Value, StringComparison.Ordinal);

        var max = EventValidator.Validate(Departure(a => a["distance"] = 7000.5), Spec, Now).Single();
        Assert.Equal(("7000.5", "7000.5 is above the maximum 6000"), (max.Value, max.Message));

        var unknown = EventValidator.Validate(Departure(eventType: new string('t', 500)), Spec, Now).Single();
        Assert.True(unknown.Message.Length < 200, unknown.Message);
    }

    [Fact]
    public void A_catastrophically_backtracking_pattern_is_decided_in_linear_time()
    {
        var spec = SpecLoader.Parse("""
            spec: s
            version: "1"
            contracts:
              e:
                version: "1"
                attributes: { code: { type: string, pattern: "(a+)+b" } }
            """, "test.yaml");
        var candidate = new EventCandidate("e-1", "t", "k", "e", Now, new Dictionary<string, object?> { ["code"] = new string('a', 50_000) + "c" }, 100);
        var matching = candidate with { Attributes = new Dictionary<string, object?> { ["code"] = new string('a', 50_000) + "b" } };

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(RuleCodes.Pattern, Assert.Single(EventValidator.Validate(candidate, spec, Now)).Rule);
        Assert.Empty(EventValidator.Validate(matching, spec, Now));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_pattern_the_linear_time_engine_cannot_run_is_refused_when_the_spec_loads()
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse("""
            spec: s
            version: "1"
            contracts:
              e:
                version: "1"
                attributes: { code: { type: string, pattern: "(a)\\1" } }
            """, "test.yaml"));

        Assert.Contains("contracts.e.attributes.code.pattern: is not a valid regular expression: uses a construct that cannot be matched in linear time", error.Message);
    }

    [Fact]
    public void Unknown_attributes_are_accepted_where_the_contract_allows_them()
    {
        Assert.Empty(Violations(Departure(a => a["anything"] = 1L, eventType: "open_event")));
    }

    [Fact]
    public void Every_rule_code_is_distinct_and_a_valid_label()
    {
        Assert.Equal(RuleCodes.All.Count, RuleCodes.All.Distinct().Count());
        Assert.All(RuleCodes.All, code => Assert.Matches("^[a-z_]+$", code));
    }
}
