using MlOps.Common.Features;

namespace MlOps.UnitTests.Features;

public sealed class FeatureValueCodecTests
{
    [Theory]
    [InlineData(2475.5)]
    [InlineData(-0.25)]
    public void A_finite_double_round_trips(double value) => Assert.Equal(value, FeatureValueCodec.Decode(FeatureValueCodec.Encode(value)));

    [Theory]
    [InlineData("d:Infinity")]
    [InlineData("d:-Infinity")]
    [InlineData("d:NaN")]
    public void A_non_finite_double_stored_before_validation_refused_it_reads_as_absent(string stored) =>
        Assert.Null(FeatureValueCodec.Decode(stored));
}
