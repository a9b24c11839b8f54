using MlOps.Common.Stats;

namespace MlOps.Benchmarks;

/// <summary>Percentiles of end-to-end latencies in milliseconds.</summary>
internal sealed record LatencySummary(double P50, double P99, double Max, int Count)
{
    public static LatencySummary From(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            return new LatencySummary(double.NaN, double.NaN, double.NaN, 0);
        }
        var sorted = samples.Order().ToArray();
        return new LatencySummary(Quantiles.NearestRank(sorted, 0.50), Quantiles.NearestRank(sorted, 0.99), sorted[^1], sorted.Length);
    }

    /// <summary>Times <paramref name="iterations"/> sequential calls after up to <paramref name="warmup"/> untimed ones.</summary>
    public static async Task<LatencySummary> TimeAsync(int iterations, Func<Task> action, int warmup = 500)
    {
        for (var i = 0; i < Math.Min(warmup, iterations); i++)
        {
            await action();
        }
        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await action();
            samples[i] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        return From(samples);
    }

    public string Format(string name, int width = 28) => $"{name.PadRight(width)} {P50,8:F3} {P99,8:F3} {Max,8:F3} {Count,7}";
}
