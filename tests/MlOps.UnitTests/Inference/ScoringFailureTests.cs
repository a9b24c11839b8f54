using MlOps.Inference.Serving;

namespace MlOps.UnitTests.Inference;

/// <summary>Which model outputs the fallback chain takes over from.</summary>
public sealed class ScoringFailureTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(2);

    [Theory]
    [InlineData(0f)]
    [InlineData(0.42f)]
    [InlineData(1f)]
    public void A_probability_in_time_is_served(float score) => Assert.Null(ScoringFailure.Of("m:1", score, Fast, 50));

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(-0.01f, "-0.01")]
    [InlineData(1.5f, "1.5")]
    public void A_score_that_is_not_a_probability_is_an_invalid_output(float score, string shown)
    {
        var failure = ScoringFailure.Of("m:1", score, Fast, null);

        Assert.Equal(ScoringFailure.InvalidOutput, failure!.Code);
        Assert.Equal($"m:1 returned {shown}, not a probability", failure.Detail);
    }

    [Fact]
    public void No_score_at_all_is_an_invalid_output() =>
        Assert.Equal("invalid_output: m:1 returned no score, not a probability", ScoringFailure.Of("m:1", null, Fast, null)!.ToString());

    [Fact]
    public void A_run_over_the_deployments_limit_is_a_timeout_even_with_a_good_score()
    {
        var failure = ScoringFailure.Of("m:1", 0.3f, TimeSpan.FromMilliseconds(12.34), 10);

        Assert.Equal("timeout: m:1 took 12.3 ms, the limit is 10 ms", failure!.ToString());
        Assert.Null(ScoringFailure.Of("m:1", 0.3f, TimeSpan.FromMilliseconds(10), 10));
        Assert.Null(ScoringFailure.Of("m:1", 0.3f, TimeSpan.FromSeconds(5), null));
    }
}
