using MlOps.Common.Spec;

namespace MlOps.UnitTests.Spec;

public sealed class SpecLoaderTests
{
    private const string File = "specs/test.yaml";

    private const string Valid = """
        spec: flights
        version: "3"
        contracts:
          flight_departure:
            version: "2"
            max_attributes: 16
            max_event_bytes: 4096
            max_clock_skew: 5m
            max_age: 30d
            allow_unknown_attributes: true
            quality: { window: 200, max_quarantine_rate: 0.05, min_completeness: { carrier: 0.9 } }
            attributes:
              origin:   { type: string, required: true, pattern: "[A-Z]{3}" }
              distance: { type: double, required: true, min: 0, max: 6000 }
              dep_hour: { type: long, min: 0, max: 23 }
              carrier:  { type: string, max_length: 3, allowed_values: [AA, DL, UA] }
              diverted: { type: boolean }
        """;

    [Fact]
    public void A_valid_spec_loads_every_rule()
    {
        var spec = SpecLoader.Parse(Valid, File);

        Assert.Equal("flights", spec.Name);
        Assert.Equal("3", spec.Version);
        Assert.Matches("^flights@3\\+[0-9a-f]{12}$", spec.VersionTag);
        var contract = Assert.Single(spec.Contracts).Value;
        Assert.Equal(("flight_departure", "2", 16, 4096), (contract.EventType, contract.Version, contract.MaxAttributes, contract.MaxEventBytes));
        Assert.Equal(TimeSpan.FromMinutes(5), contract.MaxClockSkew);
        Assert.Equal(TimeSpan.FromDays(30), contract.MaxAge);
        Assert.True(contract.AllowUnknownAttributes);
        Assert.Equal(new QualityThresholds(200, 0.05, contract.Quality.MinCompleteness), contract.Quality);
        Assert.Equal(0.9, contract.Quality.MinCompleteness["carrier"]);

        var origin = contract.Attributes["origin"];
        Assert.Equal((AttributeType.String, true), (origin.Type, origin.Required));
        Assert.True(origin.Pattern!.IsMatch("JFK"));
        Assert.False(origin.Pattern.IsMatch("JFKX")); // patterns match the whole value
        Assert.Equal("[A-Z]{3}", origin.Pattern.Source);
        Assert.Equal((0.0, 6000.0), (contract.Attributes["distance"].Min!.Value, contract.Attributes["distance"].Max!.Value));
        Assert.Equal((AttributeType.Long, false), (contract.Attributes["dep_hour"].Type, contract.Attributes["dep_hour"].Required));
        Assert.Equal(["AA", "DL", "UA"], contract.Attributes["carrier"].AllowedValues!.Order());
        Assert.Equal(3, contract.Attributes["carrier"].MaxLength);
        Assert.Equal(AttributeType.Boolean, contract.Attributes["diverted"].Type);
    }

    [Fact]
    public void The_hash_changes_with_any_edit_and_the_example_spec_loads()
    {
        var a = SpecLoader.Parse(Valid, File);
        var b = SpecLoader.Parse(Valid + "\n# a comment\n", File);
        Assert.NotEqual(a.Hash, b.Hash);
        Assert.Equal(a.Hash, SpecLoader.Parse(Valid, File).Hash);

        var example = SpecLoader.Load(Path.Combine(RepoRoot(), "infra", "examples", "flights", "spec.yaml"));
        Assert.Contains("flight_departure", example.Contracts.Keys);
    }

    [Fact]
    public void Every_problem_is_reported_with_file_line_column_and_field()
    {
        const string yaml = """
            spec: Flights
            contracts:
              flight_departure:
                version: "2"
                max_attributes: -1
                max_clock_skew: 5 minutes
                colour: blue
                quality: { max_quarantine_rate: 1.5, min_completeness: { nope: 0.5 } }
                attributes:
                  distance: { type: double, min: 10, max: 5 }
                  origin:   { type: string, pattern: "([A-Z]", min: 1 }
                  dep_hour: { type: integer }
                  carrier:  { required: yes }
                  flag:     { type: boolean, allowed_values: [] }
            """;

        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse(yaml, File));
        var found = ex.Errors.Select(e => $"{e.Line}:{e.Column} {e.Field}").ToList();

        Assert.Equal(
        [
            "1:1 version",
            "1:7 spec",
            "5:21 contracts.flight_departure.max_attributes",
            "6:21 contracts.flight_departure.max_clock_skew",
            "7:5 contracts.flight_departure.colour",
            "8:37 contracts.flight_departure.quality.max_quarantine_rate",
            "8:62 contracts.flight_departure.quality.min_completeness.nope",
            "10:38 contracts.flight_departure.attributes.distance.min",
            "11:42 contracts.flight_departure.attributes.origin.pattern",
            "11:57 contracts.flight_departure.attributes.origin.min",
            "12:25 contracts.flight_departure.attributes.dep_hour.type",
            "13:17 contracts.flight_departure.attributes.carrier.type",
            "13:29 contracts.flight_departure.attributes.carrier.required",
            "14:50 contracts.flight_departure.attributes.flag.allowed_values",
            "14:50 contracts.flight_departure.attributes.flag.allowed_values",
        ], found);
        Assert.All(ex.Errors, e => Assert.Equal(File, e.File));
        Assert.Contains("specs/test.yaml:12:25: contracts.flight_departure.attributes.dep_hour.type: unknown type 'integer'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'Flights' is not a name", ex.Errors.Single(e => e.Field == "spec").Message, StringComparison.Ordinal);
        Assert.Contains("10 is greater than max 5", ex.Errors.Single(e => e.Field.EndsWith("distance.min", StringComparison.Ordinal)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spec: [", "(yaml)")]
    [InlineData("- a list\n- not a mapping", "(root)")]
    [InlineData("", "(root)")]
    [InlineData("spec: a\nspec: b\nversion: \"1\"\ncontracts: {}", "(yaml)")]
    public void Yaml_that_is_not_a_spec_mapping_is_refused_with_a_location(string yaml, string field)
    {
        var error = Assert.Single(Assert.Throws<SpecException>(() => SpecLoader.Parse(yaml, File)).Errors);
        Assert.Equal(field, error.Field);
        Assert.True(error.Line >= 1);
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    public void Durations_have_units(string text, double seconds)
    {
        var spec = SpecLoader.Parse($"spec: s\nversion: \"1\"\ncontracts:\n  e:\n    version: \"1\"\n    max_clock_skew: {text}\n", File);
        Assert.Equal(TimeSpan.FromSeconds(seconds), spec.Contracts["e"].MaxClockSkew);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("5")]
    [InlineData("-5m")]
    [InlineData("5 weeks")]
    public void Durations_without_a_positive_amount_and_unit_are_refused(string text)
    {
        var ex = Assert.Throws<SpecException>(() =>
            SpecLoader.Parse($"spec: s\nversion: \"1\"\ncontracts:\n  e:\n    version: \"1\"\n    max_age: {text}\n", File));
        Assert.Equal("6:14 contracts.e.max_age", $"{ex.Errors[0].Line}:{ex.Errors[0].Column} {ex.Errors[0].Field}");
    }

    [Fact]
    public void More_required_attributes_than_max_attributes_is_a_contradiction()
    {
        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse("""
            spec: s
            version: "1"
            contracts:
              e:
                version: "1"
                max_attributes: 1
                attributes: { a: { type: long, required: true }, b: { type: long, required: true } }
            """, File));
        Assert.Contains("requires 2 attributes", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sections_owned_by_other_services_are_accepted()
    {
        var spec = SpecLoader.Parse("spec: s\nversion: \"1\"\ncontracts: {}\nfeatures: {}\nmodels: []\nmonitors: {}\nalerts: {}\n", File);
        Assert.Empty(spec.Contracts);
    }

    [Fact]
    public void A_missing_file_is_a_spec_error_naming_it()
    {
        var error = Assert.Single(Assert.Throws<SpecException>(() => SpecLoader.Load("/nonexistent/spec.yaml")).Errors);
        Assert.Equal(("/nonexistent/spec.yaml", "(file)"), (error.File, error.Field));
    }

    private static string RepoRoot() => MlOps.Contracts.Codegen.RepoRoot.Find(AppContext.BaseDirectory);
}
