using MlOps.Features.Store;
using MlOps.IntegrationTests.Infrastructure;
using StackExchange.Redis;

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
        await using var redis = await ConnectAsync();
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

    private static FeatureEvent Departure(long offset, long eventTimeMs, string destination = "LAX") => new(
        offset, "flight_departure", eventTimeMs,
        new Dictionary<string, object?> { ["origin"] = "JFK", ["destination"] = destination, ["distance"] = 2475.0 });

    private Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync(stack.Endpoints.RedisUrl.Replace("redis://", "", StringComparison.Ordinal));
}
