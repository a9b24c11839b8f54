using Microsoft.Extensions.Options;

namespace MlOps.Rollout;

/// <summary>
/// Runs <see cref="RolloutDriver"/> each <c>Rollout:EvaluateEvery</c> once the watcher has read the topics. A failed
/// evaluation is logged; the next one tries again.
/// </summary>
public sealed partial class RolloutEvaluator(
    RolloutDriver driver,
    RolloutWatcher watcher,
    TimeProvider clock,
    IOptions<RolloutOptions> options,
    ILogger<RolloutEvaluator> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await watcher.CaughtUp.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.EvaluateEvery, clock);
        do
        {
            try
            {
                await driver.EvaluateAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogEvaluationFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Evaluating the rollouts failed; retrying at the next tick")]
    private partial void LogEvaluationFailed(Exception ex);
}
