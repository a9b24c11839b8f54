using System.Globalization;
using MlOps.Cli.Replay;
using MlOps.Common.Spec;
using MlOps.Stack;
using MlOps.Training;

namespace MlOps.Cli.Commands;

/// <summary>
/// <c>replay &lt;file&gt; [--speed N|max] [--limit N] [--label-lag 30m] [--tenant ID]</c>: the BTS flights file as the
/// live stream the platform would have seen, into a running stack.
/// </summary>
internal static class ReplayCommand
{
    public const string DefaultTenant = "bts";
    public static readonly TimeSpan DefaultLabelLag = TimeSpan.FromMinutes(30);

    /// <summary>What a replay was asked to do.</summary>
    public sealed record Request(string File, double Speed, int? Limit, TimeSpan LabelLag, string Tenant)
    {
        public static Request Parse(string file, CliArgs args)
        {
            var speedText = args.String("speed", "max");
            if (!ReplayPacer.TryParseSpeed(speedText, out var speed))
            {
                throw new CliException($"--speed must be 'max' or a positive factor of real time, e.g. 3600 (got '{speedText}')");
            }
            var lagText = args.String("label-lag", "30m");
            if (!SpecDuration.TryParse(lagText, out var lag))
            {
                throw new CliException($"--label-lag must be a positive duration like {SpecDuration.Examples} (got '{lagText}')");
            }
            var limit = args.Int("limit", 0, min: 1);
            return new Request(file, speed, limit > 0 ? limit : null, lag, args.String("tenant", DefaultTenant));
        }
    }

    public static async Task<int> RunAsync(StackPaths paths, string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new CliException($"replay needs a flights file, e.g. ./mlops replay {TrainCommand.DefaultData}");
        }
        var request = Request.Parse(args[0], CliArgs.Parse(args[1..]));
        var stack = paths.Endpoints();
        using var signals = new TerminationSignals();
        try
        {
            await ReplayAsync(stack, request, await PlanAsync(request, signals.Token), signals.Token);
            return 0;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine("mlops: replay interrupted; what was published before is acknowledged (see above)");
            return 130;
        }
    }

    /// <param name="plan">From <see cref="Plan"/> of the same request (made first, so a bad file fails early).</param>
    public static async Task<ReplayCounts> ReplayAsync(StackEndpoints stack, Request request, ReplayPlan plan, CancellationToken ct)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replaying {plan.Departures:N0} departures from {request.File} ({plan.Skipped} unusable rows skipped), speed {(request.Speed == 0 ? "max" : request.Speed.ToString("G", CultureInfo.InvariantCulture) + "x")}, labels {request.LabelLag.TotalMinutes:G} min after landing"));
        var counts = await FlightReplayer.PublishAsync(stack, plan.Items, plan.Total, request.Speed, ReplayProgress.ForConsole(), ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replayed {counts.Departures:N0} departures, {counts.Arrivals:N0} arrivals and {counts.Labels:N0} labels in {counts.Elapsed.TotalSeconds:F1} s ({counts.EventsPerSecond:N0} events/s); event time {plan.Start:yyyy-MM-dd HH:mm} .. {counts.EventTime:yyyy-MM-dd HH:mm}"));
        return counts;
    }

    /// <summary>A replay plan, produced item by item as it is published, and what it holds.</summary>
    /// <param name="Items">Enumerate once: each item is built as it is reached.</param>
    /// <param name="Start">The first item's event time (the earliest departure); default when there is none.</param>
    public sealed record ReplayPlan(IEnumerable<ReplayItem> Items, int Departures, DateTime Start, int Skipped)
    {
        /// <summary>A departure and an arrival per flight.</summary>
        public int Total => Departures * 2;
    }

    /// <summary>
    /// The file's usable flights (the earliest <see cref="Request.Limit"/> departures), as a replay plan. The flights
    /// are loaded here; the plan's items are not materialised.
    /// </summary>
    public static async Task<ReplayPlan> PlanAsync(Request request, CancellationToken ct)
    {
        if (!File.Exists(request.File))
        {
            throw new CliException($"replay: no flights file at {request.File}");
        }
        FlightDataset dataset;
        try
        {
            dataset = await FlightDataset.LoadAsync(request.File, ct);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            throw new CliException($"replay: {ex.Message}"); // the message starts with the file
        }
        TrainCommand.PrintRows(dataset, request.File);
        var flights = request.Limit is { } limit && limit < dataset.Rows.Count ? dataset.Rows.Take(limit).ToList() : dataset.Rows;
        var options = new ReplayOptions(Path.GetFileNameWithoutExtension(request.File), request.Tenant, request.LabelLag);
        var start = flights.Count > 0 ? DateTime.SpecifyKind(flights.Min(f => f.Departure), DateTimeKind.Utc) : default;
        return new ReplayPlan(FlightReplayPlan.Build(flights, options), flights.Count, start, dataset.Skipped.Count);
    }
}
