using Microsoft.Extensions.Time.Testing;
using MlOps.Features;

namespace MlOps.UnitTests.Features;

public sealed class ReadTimeTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private static readonly DateTime FivePastFiveUtc = new(2026, 3, 1, 17, 5, 0, DateTimeKind.Utc);

    [Fact]
    public void A_posted_time_without_an_offset_is_utc_not_the_servers_local_time()
    {
        // What System.Text.Json binds from "2026-03-01T17:05:00". The zone of the machine running the test must not
        // matter: the old code read this as local time and shifted it by the machine's offset.
        var resolved = ReadTime.Resolve(new DateTime(2026, 3, 1, 17, 5, 0, DateTimeKind.Unspecified), Clock);

        Assert.Equal(DateTimeKind.Utc, resolved.Kind);
        Assert.Equal(FivePastFiveUtc, resolved);
    }

    [Theory]
    [InlineData("2026-03-01T17:05:00")]
    [InlineData("2026-03-01T17:05:00Z")]
    [InlineData("2026-03-01T19:05:00+02:00")]
    [InlineData("2026-03-01T12:05:00-05:00")]
    public void Get_and_post_read_the_same_at_as_the_same_instant(string at)
    {
        var fromQuery = ReadTime.Parse(at, Clock);
        var fromBody = ReadTime.Resolve(System.Text.Json.JsonSerializer.Deserialize<DateTime>($"\"{at}\""), Clock);

        Assert.Equal(FivePastFiveUtc, fromQuery);
        Assert.Equal(FivePastFiveUtc, fromBody);
        Assert.Equal(DateTimeKind.Utc, fromBody.Kind);
    }

    [Fact]
    public void No_at_reads_now_and_text_that_is_no_time_is_refused()
    {
        Assert.Equal(Clock.GetUtcNow().UtcDateTime, ReadTime.Parse(null, Clock));
        Assert.Equal(Clock.GetUtcNow().UtcDateTime, ReadTime.Resolve(null, Clock));
        Assert.Null(ReadTime.Parse("yesterday", Clock));
    }
}
