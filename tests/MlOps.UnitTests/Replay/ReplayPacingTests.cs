using System.Text;
using MlOps.Cli;
using MlOps.Cli.Commands;
using MlOps.Cli.Replay;

namespace MlOps.UnitTests.Replay;

public sealed class ReplayPacingTests
{
    private static readonly DateTime First = new(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(3600, 60, 1.0)]      // an hour of event time per second
    [InlineData(60, 60, 60.0)]
    [InlineData(0, 600, 0.0)]        // max: no waiting
    public void Speed_compresses_event_time_into_wall_time(double speed, int eventMinutes, double dueSeconds)
    {
        var pacer = new ReplayPacer(speed, First);

        Assert.Equal(dueSeconds, pacer.DueAfter(First.AddMinutes(eventMinutes)).TotalSeconds, 6);
        Assert.Equal(TimeSpan.Zero, pacer.DueAfter(First.AddMinutes(-5)));
    }

    [Theory]
    [InlineData("max", true, 0)]
    [InlineData("2.5", true, 2.5)]
    [InlineData("0", false, 0)]
    [InlineData("-3", false, 0)]
    [InlineData("fast", false, 0)]
    [InlineData("NaN", false, 0)]
    public void Speed_is_max_or_a_positive_factor(string text, bool valid, double expected)
    {
        Assert.Equal(valid, ReplayPacer.TryParseSpeed(text, out var speed));
        if (valid) Assert.Equal(expected, speed);
    }

    [Theory]
    [InlineData(new[] { "--speed", "0" }, "--speed must be 'max' or a positive factor of real time, e.g. 3600 (got '0')")]
    [InlineData(new[] { "--label-lag", "30" }, "--label-lag must be a positive duration like 500ms, 30s, 5m, 2h or 30d (got '30')")]
    [InlineData(new[] { "--limit", "0" }, "--limit must be an integer >= 1 (got '0')")]
    public void Bad_replay_options_are_refused_naming_the_option(string[] args, string message)
    {
        var error = Assert.Throws<CliException>(() => ReplayCommand.Request.Parse("flights.json", CliArgs.Parse(args)));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Replay_defaults_to_max_speed_all_rows_and_a_30_minute_label_lag()
    {
        var request = ReplayCommand.Request.Parse("flights.json", CliArgs.Parse([]));

        Assert.Equal(new ReplayCommand.Request("flights.json", 0, null, TimeSpan.FromMinutes(30), "bts"), request);
    }

    [Fact]
    public void Without_a_terminal_progress_is_a_plain_line_per_tenth_of_the_way()
    {
        var output = new StringWriter(new StringBuilder());
        var progress = new ReplayProgress(output, terminal: false);

        for (var published = 1; published <= 1000; published++)
        {
            progress.Report(new ReplayCounts(published / 2, published - published / 2, published - published / 2, 1000, First, TimeSpan.FromSeconds(published / 100.0)));
        }
        progress.Complete();

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        Assert.StartsWith("replay 10 %: 50 departures, 50 arrivals, 50 labels; event time 2001-01-01 00:00; 100 events/s", lines[0]);
        Assert.StartsWith("replay 100 %: 500 departures", lines[^1]);
        Assert.DoesNotContain('\r', output.ToString());
    }

    [Fact]
    public void A_slow_replay_without_a_terminal_still_prints_a_line_every_10_seconds()
    {
        var output = new StringWriter(new StringBuilder());
        var progress = new ReplayProgress(output, terminal: false);

        for (var second = 1; second <= 60; second++)
        {
            progress.Report(new ReplayCounts(second, 0, 0, 1000, First, TimeSpan.FromSeconds(second)));
        }

        Assert.Equal(6, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("replay 1 %: 10 departures", output.ToString());
    }

    [Fact]
    public void In_a_terminal_progress_is_a_bar_redrawn_in_place()
    {
        var output = new StringWriter(new StringBuilder());
        var progress = new ReplayProgress(output, terminal: true);

        progress.Report(new ReplayCounts(300, 200, 200, 1000, First, TimeSpan.FromSeconds(1)));
        progress.Report(new ReplayCounts(500, 500, 500, 1000, First, TimeSpan.FromSeconds(2)));
        progress.Complete();

        var text = output.ToString();
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.Contains("[###############...............] 50 %", text);
        Assert.Contains("[##############################] 100 %", text);
        Assert.EndsWith(Environment.NewLine, text);
    }
}
