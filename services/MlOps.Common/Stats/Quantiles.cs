namespace MlOps.Common.Stats;

/// <summary>Percentiles by the nearest-rank method: the smallest sample with at least q of the samples at or below it.</summary>
public static class Quantiles
{
    /// <param name="sorted">Samples in ascending order.</param>
    /// <param name="q">In (0, 1], e.g. 0.99.</param>
    /// <returns>NaN without samples.</returns>
    public static double NearestRank(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(q * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
