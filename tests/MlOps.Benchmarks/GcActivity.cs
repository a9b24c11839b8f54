namespace MlOps.Benchmarks;

/// <summary>What the garbage collector did (in the whole process) while a timed loop ran: the usual suspect for a p99.</summary>
internal sealed record GcActivity(int Gen0, int Gen1, int Gen2, TimeSpan Pause, long AllocatedBytes)
{
    public static async Task<(T Result, GcActivity Gc)> MeasureAsync<T>(Func<Task<T>> action)
    {
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes();
        var result = await action();
        return (result, new GcActivity(
            GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2,
            GC.GetTotalPauseDuration() - pause, GC.GetTotalAllocatedBytes() - allocated));
    }

    /// <param name="per">What one of the operations is, e.g. "request (client and server)".</param>
    public string Format(int operations, string per) =>
        $"GCs gen0/1/2 {Gen0}/{Gen1}/{Gen2}, pauses {Pause.TotalMilliseconds:F1} ms in all, {AllocatedBytes / 1024.0 / operations:F1} KB allocated per {per}";
}
