using MlOps.Common.Features;
using MlOps.Common.Spec;

namespace MlOps.UnitTests.Features;

public sealed class StorageLayoutTests
{
    private const string View = """
        spec: t
        version: "1"
        contracts:
          departure:
            version: "1"
            max_clock_skew: 5m
            attributes:
              origin:      { type: string, required: true }
              destination: { type: string }
              distance:    { type: double }
              delay:       { type: double }
          arrival:
            version: "1"
            max_clock_skew: 5m
            attributes:
              origin:      { type: string, required: true }
              destination: { type: string }
              distance:    { type: double }
              delay:       { type: double }
        features:
          airport:
            version: "1"
            entity: origin
            sources: [departure]
            ttl: 2h
            allowed_lateness: 10m
            aggregations:
              flights:      { function: count, windows: [30m, 2h] }
              avg_distance: { function: mean, attribute: distance, windows: [2h] }
              max_delay:    { function: max, attribute: delay, windows: [30m, 2h] }
              routes:       { function: distinct_count, attribute: destination, windows: [2h] }
              last_dest:    { function: last, attribute: destination }
              since_last:   { function: time_since_last }
        """;

    private static StorageLayout Layout(string yaml) => StorageLayout.Of(SpecLoader.Parse(yaml, "t.yaml").FeatureViews["airport"]);

    private static StorageLayout Edited(string from, string to)
    {
        Assert.Contains(from, View, StringComparison.Ordinal);
        return Layout(View.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public void A_layout_gets_the_same_fingerprint_in_every_process()
    {
        // A literal, not a second computation: a per-process hash (string.GetHashCode) or a changed rendering fails here.
        Assert.Equal("f0b53a0836f23405", Layout(View).Fingerprint);
        Assert.Equal(
            """
            entity: origin
            window 30m tiles: t0: 12 tiles of 150s
            window 30m parts: sx: events, max_delay=max(delay)
            window 2h tiles: t1: 12 tiles of 10m
            window 2h parts: sssx: events, avg_distance=mean(distance), max_delay=max(delay)
            window 2h distinct: routes=distinct_count(destination) at :hll:routes:2h:
            last:last_dest: last_dest=last(destination)
            """.ReplaceLineEndings("\n"),
            string.Join("\n", Layout(View).Aspects.Select(a => $"{a.Key}: {a.Value}")));
    }

    [Theory]
    [InlineData("ttl: 2h", "ttl: 9h")]
    [InlineData("allowed_lateness: 10m", "allowed_lateness: 1h")]
    [InlineData("sources: [departure]", "sources: [departure, arrival]")]
    [InlineData("  since_last:   { function: time_since_last }", "  since_last:   { function: time_since_last }\n      n: { function: count, windows: [2h] }")]
    [InlineData("flights:      { function: count, windows: [30m, 2h] }", "flights:      { function: count, windows: [30m] }")]
    public void Changes_that_do_not_touch_stored_data_keep_the_fingerprint(string from, string to) =>
        Assert.Equal(Layout(View).Fingerprint, Edited(from, to).Fingerprint);

    [Fact]
    public void Moving_a_last_value_aggregation_keeps_the_fingerprint_as_last_values_are_stored_by_name()
    {
        const string last = "      last_dest:    { function: last, attribute: destination }\n";
        var moved = View.Replace(last, "", StringComparison.Ordinal) + "\n" + last;
        Assert.Equal(Layout(View).Fingerprint, Layout(moved).Fingerprint);
    }

    [Theory]
    [InlineData("windows: [30m, 2h] }\n      avg", "windows: [10m, 30m, 2h] }\n      avg", "window 10m tiles added (t0: 12 tiles of 50s)")] // shifts t0/t1
    [InlineData("      avg_distance: { function: mean, attribute: distance, windows: [2h] }\n", "", "window 2h parts sssx: events, avg_distance=mean(distance), max_delay=max(delay) -> sx: events, max_delay=max(delay)")]
    [InlineData("allowed_lateness: 10m", "allowed_lateness: 10m\n    tiles_per_window: 6", "window 30m tiles t0: 12 tiles of 150s -> t0: 6 tiles of 5m")]
    [InlineData("function: mean, attribute: distance", "function: sum, attribute: distance", "avg_distance=sum(distance)")]
    [InlineData("function: max, attribute: delay", "function: max, attribute: distance", "max_delay=max(distance)")]
    [InlineData("max_delay:    { function: max", "max_lateness: { function: max", "max_lateness=max(delay)")]
    [InlineData("entity: origin", "entity: [origin, destination]", "entity origin -> origin|destination")]
    [InlineData("attribute: destination, windows: [2h]", "attribute: origin, windows: [2h]", "routes=distinct_count(origin)")]
    [InlineData("last_dest:    { function: last, attribute: destination }", "last_dest:    { function: last, attribute: distance }", "last:last_dest last_dest=last(destination) -> last_dest=last(distance)")]
    [InlineData("last_dest:    { function: last, attribute: destination }", "", "last:last_dest removed (last_dest=last(destination))")]
    [InlineData("routes:       { function: distinct_count, attribute: destination, windows: [2h] }", "", "window 2h distinct removed")]
    public void Each_change_to_stored_data_changes_the_fingerprint_and_is_named(string from, string to, string named)
    {
        var before = Layout(View);
        var after = Edited(from, to);
        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
        Assert.Contains(after.ChangesFrom(before), change => change.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void The_stored_form_reads_back_to_the_same_layout()
    {
        var layout = Layout(View);
        var read = StorageLayout.Decode(layout.Encode());
        Assert.Equal(layout.Fingerprint, read.Fingerprint);
        Assert.Equal(layout.Aspects, read.Aspects);
        Assert.Empty(layout.ChangesFrom(read));

        var bare = StorageLayout.Decode("0123456789abcdef"); // a fingerprint without its aspects: every aspect shows as added
        Assert.Equal(layout.Aspects.Count, layout.ChangesFrom(bare).Count(c => c.Contains(" added (", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_conflict_asks_for_a_new_version_at_the_views_version_line()
    {
        var view = SpecLoader.Parse(View, "t.yaml").FeatureViews["airport"];
        var changed = Edited("ttl: 2h", "ttl: 2h\n    tiles_per_window: 6");
        var error = new LayoutConflict(view, changed, StorageLayout.Of(view)).ToError("t.yaml");
        Assert.Equal(("t.yaml", 22, "features.airport.version"), (error.File, error.Line, error.Field));
        Assert.StartsWith("feature view airport version 1 changed its storage layout (window 30m tiles t0: 6 tiles of 5m -> t0: 12 tiles of 150s; ",
            error.Message, StringComparison.Ordinal);
        Assert.EndsWith(") but not its version; Redis holds data in the old layout; give it a new version", error.Message, StringComparison.Ordinal);
    }
}
