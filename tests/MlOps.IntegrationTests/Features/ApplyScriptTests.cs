using MlOps.Common.Features;
using MlOps.Features.Store;
using MlOps.IntegrationTests.Infrastructure;

namespace MlOps.IntegrationTests.Features;

/// <summary>The apply script (apply.lua) on a real redis-server, driven with hand-made plans.</summary>
[Collection(StackCollection.Name)]
public sealed class ApplyScriptTests(StackFixture stack)
{
    [Fact]
    public async Task Tile_merges_the_script_refuses_are_reported_per_view()
    {
        var scenario = FeatureScenario.Create(0, seed: 11);
        var topic = $"it.apply.{scenario.Run}";
        var airport = scenario.Catalog.Views.Single(v => v.View.Name.StartsWith("airport_", StringComparison.Ordinal));
        var layout = airport.Layouts[0];
        var older = DateTimeOffset.UtcNow.AddHours(-5).ToUnixTimeMilliseconds();
        var newer = older + (layout.Ring * layout.TileMs); // same ring slot of that window, a newer tile
        await using var redis = await stack.ConnectRedisAsync();
        var writer = new RedisFeatureWriter(redis);

        // Partition 0 runs ahead and fills the slot; partition 1's older event is not late by its own watermark.
        var ahead = FeaturePlanner.Plan(scenario.Catalog, topic, 0, Fence.Start, [Departure(0, newer)]);
        var behind = FeaturePlanner.Plan(scenario.Catalog, topic, 1, Fence.Start, [Departure(0, older)]);
        var first = await writer.ApplyAsync(ahead);
        Assert.True(first.Applied);
        Assert.Empty(first.TilesDropped);
        var result = await writer.ApplyAsync(behind);

        var expected = behind.Tiles
            .Where(t => ahead.Tiles.TryGetValue(t.Key, out var held) && held.Tile.Index > t.Value.Tile.Index)
            .GroupBy(t => behind.Entities[t.Key.Key].View.View.Name)
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.True(result.Applied);
        Assert.Contains(airport.View.Name, expected.Keys);
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), result.TilesDropped.OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    /// <summary>
    /// Pairs whose order differs between C#'s ordinal rule and Lua's string '&gt;' (strcoll): the first two only when
    /// redis-server runs in a collating locale (e.g. LC_ALL=en_US.UTF-8), the third also in the C locale, where
    /// strcoll is plain byte order.
    /// </summary>
    public static TheoryData<string, string> Ties() => new()
    {
        { "a", "B" },           // en_US: a < B; ordinal: a > B
        { "-5", "3" },          // en_US ignores the '-': -5 > 3; ordinal: '-' < '3'
        { "\uFF21", "\U0001F600" }, // U+FF21 vs U+1F600: UTF-8 bytes EF.. < F0..; UTF-16 FF21 > D83D (surrogate)
    };

    [Theory]
    [MemberData(nameof(Ties))]
    public async Task Last_values_tied_on_event_time_keep_the_ordinal_winner_whichever_batch_comes_first(string x, string y)
    {
        var scenario = FeatureScenario.Create(0, seed: 12);
        var topic = $"it.apply.{scenario.Run}";
        var time = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        var winner = string.CompareOrdinal(x, y) > 0 ? x : y;
        await using var redis = await stack.ConnectRedisAsync();
        var writer = new RedisFeatureWriter(redis);
        var orders = new[] { (First: x, Second: y), (First: y, Second: x) };
        for (var partition = 0; partition < orders.Length; partition++)
        {
            // Two batches with one event each at the same event time: the script decides the tie.
            var origin = $"P{partition}";
            var one = FeaturePlanner.Plan(scenario.Catalog, topic, partition, Fence.Start, [Departure(0, time, orders[partition].First, origin)]);
            Assert.True((await writer.ApplyAsync(one)).Applied);
            var two = FeaturePlanner.Plan(scenario.Catalog, topic, partition, one.Next, [Departure(1, time, orders[partition].Second, origin)]);
            Assert.True((await writer.ApplyAsync(two)).Applied);

            var ((key, field), first) = one.Lasts.Single();
            var stored = (string?)await redis.GetDatabase().HashGetAsync(key, field);
            Assert.Equal(LatestValue.Merge(first, two.Lasts[(key, field)]), stored);
            Assert.Equal(winner, LatestValue.Decode(stored!).Value);
        }
    }

    private static FeatureEvent Departure(long offset, long eventTimeMs, string destination = "LAX", string origin = "JFK") => new(
        offset, "flight_departure", eventTimeMs,
        new Dictionary<string, object?> { ["origin"] = origin, ["destination"] = destination, ["distance"] = 2475.0 });

}
