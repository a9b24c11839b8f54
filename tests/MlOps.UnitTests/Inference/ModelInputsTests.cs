using MlOps.Common.Features;
using MlOps.Inference.Serving;
using static MlOps.UnitTests.Inference.SignatureCheckTests;

namespace MlOps.UnitTests.Inference;

public sealed class ModelInputsTests
{
    private static FeatureVector Vector(FeatureStatus status, long ageMs, params (string Name, object? Value)[] values) => new(
        "origin_traffic", "1", "JFK", status, 1_000_000, status == FeatureStatus.Missing ? null : 1_000_000 - ageMs,
        status == FeatureStatus.Missing ? null : TimeSpan.FromMilliseconds(ageMs),
        values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));

    private static readonly Dictionary<string, object?> Attributes = new(StringComparer.Ordinal)
    {
        ["distance"] = 2475.0,
        ["dep_hour"] = 17L,
        ["origin"] = "JFK",
    };

    [Fact]
    public void Event_attributes_and_fresh_view_values_are_served_as_is_with_their_ages()
    {
        var inputs = new[] { Input("event.distance", "d"), Input("event.dep_hour", "h", "int64"), Input("origin_traffic.departures_1h", "dep", @default: 0.0) };
        var fresh = Vector(FeatureStatus.Fresh, 1_500, ("departures_1h", 12L));

        var row = ModelInputs.Assemble(inputs, Attributes, _ => fresh);

        Assert.Null(row.Unscorable);
        Assert.Equal(2475.0, row.Served["event.distance"]);
        Assert.Equal(17.0, row.Served["event.dep_hour"]);
        Assert.Equal(12.0, row.Served["origin_traffic.departures_1h"]);
        Assert.Equal(1_500, row.AgesMs["origin_traffic.departures_1h"]);
        Assert.Empty(row.Missing);
    }

    [Theory]
    [InlineData(FeatureStatus.Missing)]
    [InlineData(FeatureStatus.Expired)]
    public void A_missing_or_expired_view_value_gets_the_declared_default_and_is_reported(FeatureStatus status)
    {
        var inputs = new[] { Input("origin_traffic.departures_1h", "dep", @default: -1.0) };

        var row = ModelInputs.Assemble(inputs, Attributes, _ => Vector(status, 7 * 3_600_000));

        Assert.Null(row.Unscorable);
        Assert.Equal(-1.0, row.Served["origin_traffic.departures_1h"]);
        Assert.Equal(["origin_traffic.departures_1h"], row.Missing);
    }

    [Fact]
    public void A_required_input_without_a_value_makes_the_row_unscorable_with_the_reason()
    {
        var inputs = new[] { Input("event.month", "m"), Input("origin_traffic.departures_1h", "dep") };

        var row = ModelInputs.Assemble(inputs, Attributes, _ => null);

        Assert.Equal("required feature 'event.month' is missing", row.Unscorable);
    }

    [Fact]
    public void A_value_of_the_wrong_kind_counts_as_missing_rather_than_being_coerced()
    {
        var inputs = new[] { Input("event.origin", "o", @default: 0.0), Input("event.distance", "d", "string", @default: "?") };

        var row = ModelInputs.Assemble(inputs, Attributes, _ => null);

        Assert.Equal(0.0, row.Served["event.origin"]);
        Assert.Equal("?", row.Served["event.distance"]);
        Assert.Equal(["event.origin", "event.distance"], row.Missing);
    }

    [Fact]
    public void Columns_follow_the_signature_order_and_element_types()
    {
        var inputs = new[] { Input("event.distance", "d"), Input("event.dep_hour", "h", "int64"), Input("event.origin", "o", "string", shape: [-1]), Input("event.distance", "d64", "float64") };
        var rows = new[]
        {
            ModelInputs.Assemble(inputs, Attributes, _ => null),
            ModelInputs.Assemble(inputs, new Dictionary<string, object?> { ["distance"] = 100.5, ["dep_hour"] = 6L, ["origin"] = "SFO" }, _ => null),
        };

        var columns = ModelInputs.Columns(inputs, rows);

        Assert.Equal([2475f, 100.5f], (float[])columns[0]);
        Assert.Equal([17L, 6L], (long[])columns[1]);
        Assert.Equal(["JFK", "SFO"], (string[])columns[2]);
        Assert.Equal([2475.0, 100.5], (double[])columns[3]);
    }
}
