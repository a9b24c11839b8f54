using MlOps.Common.Features;
using MlOps.Common.Spec;
using MlOps.Features.Store;
using StackExchange.Redis;

namespace MlOps.Features;

/// <summary>
/// Keeps a view from changing its storage layout without a new version, which would make old and new layouts share
/// the same Redis keys. At start (before the consumer, which is registered after it) the spec in force must match
/// the layouts recorded in Redis, or the service fails to start; while Redis is unreachable the start waits for it.
/// A reloaded spec is checked the same way and refused like an invalid one: logged, previous spec kept in force.
/// </summary>
public sealed class LayoutGuard(SpecProvider specs, LayoutRegistry registry, ILogger<LayoutGuard> logger) : IHostedService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        specs.AddCheck(spec => Errors(spec, registry.Record(spec.FeatureViews.Values)));
        var spec = specs.Current;
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                var errors = Errors(spec, await registry.RecordAsync(spec.FeatureViews.Values, cancellationToken));
                if (errors.Count > 0)
                {
                    throw new SpecException(errors);
                }
                logger.LogInformation("Storage layouts of {Views} feature views match Redis", spec.FeatureViews.Count);
                return;
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                logger.LogWarning("Waiting for Redis to check the feature views' storage layouts: {Error}", ex.Message);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static List<SpecError> Errors(PlatformSpec spec, IReadOnlyList<LayoutConflict> conflicts) =>
        [.. conflicts.Select(c => c.ToError(spec.SourceFile))];
}
