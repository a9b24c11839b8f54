using MlOps.Common.Spec;

namespace MlOps.UnitTests.Spec;

public sealed class FeatureViewSpecTests
{
    private const string Contracts = """
        spec: s
        version: "1"
        contracts:
          departure:
            version: "1"
            max_clock_skew: 5m
            attributes:
              origin:      { type: string, required: true }
              destination: { type: string }
              distance:    { type: double }
              delayed:     { type: boolean }
        """;

    [Fact]
    public void A_view_loads_with_its_windows_features_and_defaults()
    {
        var spec = SpecLoader.Parse(Contracts + """

            features:
              route:
                version: "3"
                entity: [origin, destination]
                sources: departure
                ttl: 6h
                aggregations:
                  flights:  { function: count, windows: [10m, 1h] }
                  distance: { function: mean, attribute: distance, windows: [1h] }
                  last:     { function: last, attribute: delayed }
            """, "f.yaml");

        var view = spec.FeatureViews["route"];
        Assert.Equal(("3", "route@3"), (view.Version, view.VersionTag));
        Assert.Equal(["origin", "destination"], view.EntityAttributes);
        Assert.Equal(["departure"], view.Sources);
        Assert.Equal((TimeSpan.FromHours(6), TimeSpan.Zero, FeatureView.DefaultTilesPerWindow), (view.Ttl, view.AllowedLateness, view.TilesPerWindow));
        Assert.Equal(["10m", "1h"], view.Windows.Select(w => w.Label));
        Assert.Equal(["flights_10m", "flights_1h", "distance_1h", "last"], view.FeatureNames);
        Assert.Equal(1, view.ReadOperations);
    }

    [Fact]
    public void A_view_fed_by_a_contract_without_a_clock_skew_bound_is_refused_naming_the_source()
    {
        var yaml = Contracts.Replace("    max_clock_skew: 5m\n", "", StringComparison.Ordinal) + """

            features:
              origin:
                version: "1"
                entity: origin
                sources: departure
                ttl: 6h
                aggregations:
                  flights: { function: count, windows: [1h] }
            """;

        var error = Assert.Single(Assert.Throws<SpecException>(() => SpecLoader.Parse(yaml, "f.yaml")).Errors);

        Assert.Equal(("features.origin.sources", 15), (error.Field, error.Line));
        Assert.StartsWith("'departure' feeds the view but its contract has no max_clock_skew: lateness is judged against the newest event time",
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_view_problem_is_reported_with_its_line_and_field()
    {
        var yaml = Contracts + """

            features:
              bad:
                entity: distance
                sources: [departure, arrival]
                tiles_per_window: 7
                aggregations:
                  a: { function: sum, attribute: origin, windows: [1h] }
                  b: { function: median, attribute: distance, windows: [1h] }
                  c: { function: count, attribute: distance, windows: [10m] }
                  d: { function: last, attribute: destination, windows: [1h] }
                  e: { function: max, attribute: altitude, windows: [1h, 1h] }
                  f: { function: count }
            """;

        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse(yaml, "f.yaml"));
        var found = ex.Errors.Select(e => $"{e.Line} {e.Field}: {e.Message}").ToList();

        Assert.Contains(found, f => f.StartsWith("14 features.bad.version: is required", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("14 features.bad.ttl: is required", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("14 features.bad.entity: 'distance' is a double in contract departure", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("15 features.bad.sources: 'arrival' has no data contract", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("18 features.bad.aggregations.a.attribute: 'origin' is a string in contract departure; expected a long or double", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("18 features.bad.aggregations.a.windows: 1h does not divide into 7", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("19 features.bad.aggregations.b.function: unknown function 'median'", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("20 features.bad.aggregations.c.attribute: count takes no attribute", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("21 features.bad.aggregations.d.windows: last describes the newest event", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("22 features.bad.aggregations.e.attribute: 'altitude' is not an attribute of contract departure", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("23 features.bad.aggregations.f.windows: is required for count", StringComparison.Ordinal));
        Assert.All(ex.Errors, e => Assert.Equal("f.yaml", e.File));
    }

    [Fact]
    public void Two_aggregations_producing_the_same_feature_name_are_refused()
    {
        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse(Contracts + """

            features:
              v:
                version: "1"
                entity: origin
                sources: [departure]
                ttl: 1h
                aggregations:
                  n:    { function: count, windows: [1h] }
                  n_1h: { function: last, attribute: destination }
            """, "f.yaml"));
        Assert.Contains("feature name 'n_1h' is produced twice", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_labels_for_one_window_length_in_a_view_are_refused_where_the_second_is_written()
    {
        // Before, the view kept one tile series for 1h and 60m alike and flights2_60m was listed but never computed.
        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse(Contracts + """

            features:
              v:
                version: "1"
                entity: origin
                sources: [departure]
                ttl: 1h
                aggregations:
                  flights1: { function: count, windows: [10m, 1h] }
                  flights2: { function: count, windows: [60m] }
            """, "f.yaml"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal((20, "features.v.aggregations.flights2.windows"), (error.Line, error.Field));
        Assert.Equal("windows 1h (aggregation flights1) and 60m are the same length; use one label", error.Message);
    }

    [Fact]
    public void One_label_for_a_window_length_shared_by_aggregations_gives_one_tile_series()
    {
        var view = SpecLoader.Parse(Contracts + """

            features:
              v:
                version: "1"
                entity: origin
                sources: [departure]
                ttl: 1h
                aggregations:
                  flights:  { function: count, windows: [1h] }
                  distance: { function: mean, attribute: distance, windows: [10m, 1h] }
            """, "f.yaml").FeatureViews["v"];
        Assert.Equal(["10m", "1h"], view.Windows.Select(w => w.Label));
        var compiled = MlOps.Common.Features.CompiledView.Of(view);
        Assert.Equal(view.FeatureNames.Order(), compiled.WindowFeatureNames.SelectMany(n => n).Order());
    }

    [Fact]
    public void A_view_built_with_two_labels_for_one_length_fails_construction()
    {
        var hour = TimeSpan.FromHours(1);
        var ex = Assert.Throws<ArgumentException>(() => new FeatureView("v", "1", ["origin"], ["departure"], hour, TimeSpan.Zero, 12,
            [new Aggregation("a", AggregationFunction.Count, null, [new FeatureWindow(hour, "1h")]),
             new Aggregation("b", AggregationFunction.Count, null, [new FeatureWindow(hour, "60m")])]));
        Assert.Contains("windows 1h and 60m are the same length", ex.Message, StringComparison.Ordinal);
    }
}
