using System.Globalization;

namespace MlOps.Cli.Replay;

/// <summary>Where a replay stands: what was published, up to which event time, how fast.</summary>
internal sealed record ReplayCounts(int Departures, int Arrivals, int Labels, int Total, DateTime EventTime, TimeSpan Elapsed)
{
    public int Published => Departures + Arrivals;

    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? Published / Elapsed.TotalSeconds : 0;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Departures:N0} departures, {Arrivals:N0} arrivals, {Labels:N0} labels; event time {EventTime:yyyy-MM-dd HH:mm}; {EventsPerSecond:N0} events/s");
}
