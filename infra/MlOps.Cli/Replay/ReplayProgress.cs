using System.Globalization;

namespace MlOps.Cli.Replay;

/// <summary>
/// A progress bar redrawn in place when the output is a terminal; otherwise a plain line at every tenth of the way
/// (and at least every 10 s, for slow replays), so logs and CI output stay readable.
/// </summary>
internal sealed class ReplayProgress(TextWriter output, bool terminal)
{
    private const int BarWidth = 30;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(10);
    private TimeSpan? _lastDrawn;
    private int _lastTenth;

    public static ReplayProgress ForConsole() => new(Console.Out, !Console.IsOutputRedirected);

    public void Report(ReplayCounts counts)
    {
        var done = counts.Total == 0 ? 1 : (double)counts.Published / counts.Total;
        if (terminal)
        {
            if (counts.Elapsed - _lastDrawn < RedrawInterval && counts.Published < counts.Total) return; // null: never drawn
            _lastDrawn = counts.Elapsed;
            var filled = (int)Math.Round(done * BarWidth);
            output.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r[{new string('#', filled)}{new string('.', BarWidth - filled)}] {done,4:P0} {counts.Describe()}  "));
            return;
        }
        var tenth = (int)Math.Floor(done * 10);
        if (tenth <= _lastTenth && counts.Elapsed - (_lastDrawn ?? TimeSpan.Zero) < LineInterval) return;
        _lastTenth = Math.Max(tenth, _lastTenth);
        _lastDrawn = counts.Elapsed;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replay {done:P0}: {counts.Describe()}"));
    }

    /// <summary>Ends the bar's line, so what follows starts on its own.</summary>
    public void Complete()
    {
        if (terminal) output.WriteLine();
    }
}
