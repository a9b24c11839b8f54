using MlOps.Common.Features;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Features.Store;
using StackExchange.Redis;

namespace MlOps.Features;

/// <summary>
/// Keeps a view from changing its storage layout without a new version, which would make old and new layouts share
/// the same Redis keys. At start the spec in force must match the layouts recorded in Redis, or the service fails to
/// start. When Redis cannot be reached then, the host starts anyway (health endpoints up, readiness red with Redis)
/// and the check is retried in the background; until it passes, <see cref="ThrowIfUnchecked"/> fails every batch
/// transiently, so nothing is written (the consumer backs off and re-reads), and a conflict found late stops the
/// service. A reloaded spec is checked the same way and refused like an invalid one: logged, previous spec kept.
/// </summary>
public sealed class LayoutGuard(
    SpecProvider specs, LayoutRegistry registry, IHostApplicationLifetime lifetime, ILogger<LayoutGuard> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _checked;
    private Task _retrying = Task.CompletedTask;

    /// <summary>Whether the views' layouts are known to match Redis (nothing may be written before).</summary>
    public bool Checked => _checked;

    /// <exception cref="TransientFailureException">The layouts have not been checked yet (Redis unreachable so far).</exception>
    public void ThrowIfUnchecked()
    {
        if (!_checked)
        {
            throw new TransientFailureException("the feature views' storage layouts are not checked against Redis yet (Redis unreachable); nothing is written before");
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        specs.AddCheck(spec => Errors(spec, registry.Record(spec.FeatureViews.Values)));
        try
        {
            await CheckAsync(cancellationToken); // a conflict fails the start
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            logger.LogWarning("Redis is unreachable: the feature views' storage layouts are checked when it is, and nothing is consumed before ({Error})", ex.Message);
            _retrying = RetryAsync(_stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _retrying.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task CheckAsync(CancellationToken ct)
    {
        var spec = specs.Current;
        var errors = Errors(spec, await registry.RecordAsync(spec.FeatureViews.Values, ct));
        if (errors.Count > 0)
        {
            throw new SpecException(errors);
        }
        _checked = true;
        logger.LogInformation("Storage layouts of {Views} feature views match Redis", spec.FeatureViews.Count);
    }

    private async Task RetryAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, ct);
                await CheckAsync(ct);
                return;
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                logger.LogWarning("Waiting for Redis to check the feature views' storage layouts: {Error}", ex.Message);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
            catch (SpecException ex)
            {
                // As a failed start would: the spec in force cannot be written without mixing layouts.
                logger.LogCritical("{Error}", ex.Message);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static List<SpecError> Errors(PlatformSpec spec, IReadOnlyList<LayoutConflict> conflicts) =>
        [.. conflicts.Select(c => c.ToError(spec.SourceFile))];
}
