using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace MlOps.Benchmarks;

/// <summary>
/// The runtime's allocation sampling (GCAllocationTick: one event per ~100 KB allocated, naming the type that crossed
/// the mark) aggregated by type: where a hot path's allocations come from, without a profiler.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int GcKeyword = 0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.Payload is null) return;
        var type = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a]) : 100_000;
        _bytesByType.AddOrUpdate(type, amount, (_, total) => total + amount);
    }

    public void Reset() => _bytesByType.Clear();

    public string Top(int count, int operations) => string.Join(Environment.NewLine, _bytesByType
        .OrderByDescending(kv => kv.Value).Take(count)
        .Select(kv => $"  {kv.Value / 1024.0 / operations,8:F1} KB/op  {kv.Key}"));
}
