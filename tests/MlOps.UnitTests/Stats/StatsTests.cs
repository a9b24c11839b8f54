using MlOps.Common.Spec;
using MlOps.Common.Stats;

namespace MlOps.UnitTests.Stats;

public sealed class StatsTests
{
    [Theory]
    [InlineData(0.5, 5)]
    [InlineData(0.9, 9)]
    [InlineData(0.99, 10)]
    [InlineData(0.01, 1)]
    public void Nearest_rank_is_the_smallest_sample_with_q_at_or_below_it(double q, double expected)
    {
        Assert.Equal(expected, Quantiles.NearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], q));
    }

    [Fact]
    public void Nearest_rank_of_nothing_is_nan() => Assert.True(double.IsNaN(Quantiles.NearestRank([], 0.5)));

    [Fact]
    public void Auc_is_one_when_positives_outrank_negatives_zero_when_reversed_and_a_half_when_tied()
    {
        Assert.Equal(1.0, BinaryAuc.Compute([(0.1, false), (0.2, false), (0.8, true), (0.9, true)]));
        Assert.Equal(0.0, BinaryAuc.Compute([(0.1, true), (0.9, false)]));
        Assert.Equal(0.5, BinaryAuc.Compute([(0.3, true), (0.3, false), (0.3, true), (0.3, false)]));
        Assert.Null(BinaryAuc.Compute([(0.3, true), (0.7, true)]));
        Assert.Null(BinaryAuc.Compute([]));
    }

    [Fact]
    public void Auc_equals_the_share_of_correctly_ordered_positive_negative_pairs_on_random_scores()
    {
        var random = new Random(5);
        for (var run = 0; run < 20; run++)
        {
            // Scores on a coarse grid, so ties are common.
            var samples = Enumerable.Range(0, 60).Select(_ => (Math.Round(random.NextDouble(), 1), random.NextDouble() < 0.3)).ToList();
            var positives = samples.Where(s => s.Item2).Select(s => s.Item1).ToList();
            var negatives = samples.Where(s => !s.Item2).Select(s => s.Item1).ToList();
            if (positives.Count == 0 || negatives.Count == 0) continue;
            var pairs = positives.SelectMany(p => negatives.Select(n => p > n ? 1.0 : p == n ? 0.5 : 0.0)).Average();

            Assert.Equal(pairs, BinaryAuc.Compute(samples)!.Value, 12);
        }
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    public void Durations_are_a_whole_number_and_a_unit(string text, double seconds)
    {
        Assert.True(SpecDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("30")]
    [InlineData("1.5h")]
    [InlineData("-5m")]
    [InlineData("5 m")]
    [InlineData(null)]
    public void Anything_else_is_not_a_duration(string? text) => Assert.False(SpecDuration.TryParse(text, out _));
}
