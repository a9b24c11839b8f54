using System.Diagnostics;
using MlOps.Features.Store;

namespace MlOps.Features;

/// <summary>Records a consumed batch in <see cref="FeaturesMetrics"/>: the time of each phase and what each partition's plan applied.</summary>
internal static class BatchMetricsRecorder
{
    public static long ObservePhase(string name, long since)
    {
        var now = Stopwatch.GetTimestamp();
        FeaturesMetrics.BatchPhaseSeconds.WithLabels(name).Observe(Stopwatch.GetElapsedTime(since, now).TotalSeconds);
        return now;
    }

    /// <param name="dropped">Per view, the plan's tile merges the script refused: they were not written.</param>
    public static void Observe(WritePlan plan, IReadOnlyDictionary<string, int> dropped, TimeProvider clock)
    {
        foreach (var (view, count) in plan.AppliedByView) FeaturesMetrics.Events.WithLabels(view, "applied").Inc(count);
        foreach (var (view, count) in plan.Late) FeaturesMetrics.Events.WithLabels(view, "late").Inc(count);
        foreach (var (view, count) in plan.MissingEntity) FeaturesMetrics.Events.WithLabels(view, "missing_entity").Inc(count);
        foreach (var (view, count) in plan.TilesByView) FeaturesMetrics.TilesWritten.WithLabels(view).Inc(count - dropped.GetValueOrDefault(view));
        FeaturesMetrics.Replayed.Inc(plan.AlreadyApplied);
        // Only what this plan applied: replayed events are old by nature and would spike the lag after every rewind.
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (view, newest) in plan.NewestAppliedByView)
        {
            FeaturesMetrics.EventTimeLag.WithLabels(view).Observe(Math.Max(0, (now - newest) / 1000.0));
        }
    }
}
