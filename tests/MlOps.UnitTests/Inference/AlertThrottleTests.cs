using Microsoft.Extensions.Time.Testing;
using MlOps.Inference.Serving;

namespace MlOps.UnitTests.Inference;

public sealed class AlertThrottleTests
{
    [Fact]
    public void A_key_is_let_through_once_per_interval_and_keys_are_independent()
    {
        var clock = new FakeTimeProvider();
        var throttle = new AlertThrottle(clock, TimeSpan.FromMinutes(5));

        Assert.True(throttle.ShouldRaise("delay|m:1|timeout"));
        Assert.False(throttle.ShouldRaise("delay|m:1|timeout"));
        Assert.True(throttle.ShouldRaise("delay|m:1|model_error"));
        clock.Advance(TimeSpan.FromMinutes(4.9));
        Assert.False(throttle.ShouldRaise("delay|m:1|timeout"));
        clock.Advance(TimeSpan.FromMinutes(0.1));
        Assert.True(throttle.ShouldRaise("delay|m:1|timeout"));
    }
}
