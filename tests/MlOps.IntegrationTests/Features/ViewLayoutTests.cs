using Microsoft.Extensions.DependencyInjection;
using MlOps.Common.Spec;
using MlOps.Features.Store;
using MlOps.IntegrationTests.Infrastructure;

namespace MlOps.IntegrationTests.Features;

/// <summary>
/// A view's stored data is only readable in the layout it was written in, and its keys carry only name@version: the
/// Features service refuses a spec that changes a view's layout without a new version, at start and on reload.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ViewLayoutTests(StackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_layout_changed_spec_of_the_same_version_is_refused_at_restart_and_on_reload_leaving_redis_untouched()
    {
        var scenario = FeatureScenario.Create(200, seed: 7);
        var topic = await stack.CreateTopicAsync("features-layout", partitions: 2);
        var delivered = await FeatureScenario.ProduceAsync(stack, topic, scenario.Events);
        var partitions = delivered.Select(d => d.Partition).ToList();
        var settings = scenario.Settings(topic, StackFixture.NewGroupId("features-layout"));
        await using (await FeatureScenario.StartServiceAsync(stack.Endpoints, settings))
        {
            await FeatureScenario.WaitForFencesAsync(stack.Endpoints.RedisUrl, topic, delivered, Timeout);
        }
        var stored = await scenario.RedisSnapshotAsync(stack.Endpoints.RedisUrl, topic, partitions);
        var view = scenario.Spec.FeatureViews.Keys.Single(v => v.StartsWith("airport_", StringComparison.Ordinal));
        var layout = await HeldLayoutAsync($"{view}@1");
        Assert.NotNull(layout);

        // A shorter window takes tile series t0: the stored 30m tiles would be read as 10m tiles.
        var original = File.ReadAllText(scenario.SpecPath);
        var shorter = original.Replace("windows: [30m, 2h]", "windows: [10m, 30m, 2h]", StringComparison.Ordinal);
        Assert.NotEqual(original, shorter);
        Rewrite(scenario.SpecPath, shorter);
        var refused = await Assert.ThrowsAsync<SpecException>(() => FeatureScenario.StartServiceAsync(stack.Endpoints, settings));
        var error = Assert.Single(refused.Errors);
        Assert.Equal($"features.{view}.version", error.Field);
        Assert.StartsWith($"feature view {view} version 1 changed its storage layout (window 10m tiles added (t0: 12 tiles of 50s); "
            + "window 10m parts added (s: events); window 30m tiles t0: 12 tiles of 150s -> t1: 12 tiles of 150s; ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(" but not its version; Redis holds data in the old layout; give it a new version", error.Message, StringComparison.Ordinal);
        Assert.Equal(stored, await scenario.RedisSnapshotAsync(stack.Endpoints.RedisUrl, topic, partitions));
        Assert.Equal(layout, await HeldLayoutAsync($"{view}@1"));

        // A change that keeps the layout starts without a new version; a layout change while running is refused.
        var ttl = original.Replace("ttl: 6h", "ttl: 5h", StringComparison.Ordinal);
        Rewrite(scenario.SpecPath, ttl);
        await using var service = await FeatureScenario.StartServiceAsync(stack.Endpoints, settings);
        var specs = service.Services.GetRequiredService<SpecProvider>();
        Assert.Equal(TimeSpan.FromHours(5), specs.Current.FeatureViews[view].Ttl);
        var reloadsRefused = new List<SpecException>();
        specs.ReloadFailed += reloadsRefused.Add;

        Rewrite(scenario.SpecPath, ttl.Replace("windows: [30m, 2h]", "windows: [10m, 30m, 2h]", StringComparison.Ordinal));
        specs.TryReload(); // the poll may have got there first: the outcome is what counts
        Assert.Contains($"feature view {view} version 1 changed its storage layout", Assert.Single(reloadsRefused).Message, StringComparison.Ordinal);
        Assert.Equal(["30m", "2h"], specs.Current.FeatureViews[view].Windows.Select(w => w.Label));
        Assert.Equal(stored, await scenario.RedisSnapshotAsync(stack.Endpoints.RedisUrl, topic, partitions));
        Assert.Equal(layout, await HeldLayoutAsync($"{view}@1"));

        // With a new version the same change is accepted: its data goes to new keys.
        var versioned = ttl.Replace("windows: [30m, 2h]", "windows: [10m, 30m, 2h]", StringComparison.Ordinal)
            .Replace($"{view}:\n    version: \"1\"", $"{view}:\n    version: \"2\"", StringComparison.Ordinal);
        Rewrite(scenario.SpecPath, versioned);
        specs.TryReload();
        Assert.Equal(("2", 3), (specs.Current.FeatureViews[view].Version, specs.Current.FeatureViews[view].Windows.Count));
        Assert.Single(reloadsRefused);
        Assert.NotNull(await HeldLayoutAsync($"{view}@2"));
    }

    /// <summary>Replaces the file in one rename, so the service's poll never reads it half-written.</summary>
    private static void Rewrite(string path, string text)
    {
        var next = path + ".next";
        File.WriteAllText(next, text);
        File.Move(next, path, overwrite: true);
    }

    private async Task<string?> HeldLayoutAsync(string versionTag)
    {
        await using var redis = await stack.ConnectRedisAsync();
        return await redis.GetDatabase().HashGetAsync(LayoutRegistry.Key, versionTag);
    }
}
