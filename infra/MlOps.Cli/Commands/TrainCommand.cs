using System.Diagnostics;
using System.Globalization;
using MlOps.Contracts;
using MlOps.Training;

namespace MlOps.Cli.Commands;

/// <summary><c>train</c>: the flight-delay model from the BTS sample to a verified ONNX artifact and manifest.</summary>
internal static class TrainCommand
{
    /// <summary>Where ./mlops installs vega-datasets (npm, under the git-ignored .mlops).</summary>
    public const string DefaultData = ".mlops/data/node_modules/vega-datasets/data/flights-20k.json";

    private const int SkippedShown = 50;

    /// <summary>Prints how many rows the file had and each unusable one (the first 50, then how many more).</summary>
    public static void PrintRows(FlightDataset dataset, string file)
    {
        Console.WriteLine($"read {dataset.Rows.Count + dataset.Skipped.Count} rows from {file}; skipped {dataset.Skipped.Count}");
        foreach (var skipped in dataset.Skipped.Take(SkippedShown))
        {
            Console.WriteLine($"  skipped {skipped}");
        }
        if (dataset.Skipped.Count > SkippedShown)
        {
            Console.WriteLine($"  ... and {dataset.Skipped.Count - SkippedShown} more");
        }
    }

    /// <summary>
    /// <c>train [--from-log] [--register]</c>: from a flights file or the prediction log; <c>--register</c> then registers
    /// the new version in the running stack, as <c>models register</c> does.
    /// </summary>
    public static async Task<int> RunAsync(StackPaths paths, CliArgs args)
    {
        var manifest = args.Flag("from-log") ? await FromLogAsync(paths, args) : await TrainAsync(args, CancellationToken.None);
        return args.Flag("register") ? await ModelsCommand.RegisterAsync(paths, [manifest]) : 0;
    }

    /// <summary>Trains from a flights file; returns the manifest written.</summary>
    public static async Task<string> TrainAsync(CliArgs args, CancellationToken ct)
    {
        var root = RepositoryRoot.Find();
        var data = Path.GetFullPath(args.String("data", DefaultData), root);
        var request = RequestOf(args, root, data);
        if (!File.Exists(data))
        {
            throw new CliException($"no flights data at {data} (./mlops train installs vega-datasets@3.2.1 with npm; or pass --data)");
        }

        var clock = Stopwatch.StartNew();
        TrainingReport report;
        try
        {
            var dataset = await FlightDataset.LoadAsync(data, ct);
            PrintRows(dataset, data);
            report = FlightDelayTrainer.Train(request, dataset);
        }
        catch (Exception ex) when (ex is TrainingException or FormatException or IOException or System.Text.Json.JsonException)
        {
            throw new CliException("train: " + ex.Message);
        }
        Print(report, clock);
        return report.ManifestPath;
    }

    /// <summary>
    /// <c>--from-log [--arm champion]</c>: from a running stack's prediction log joined with its labels — the
    /// features each event was served, not recomputed — split chronologically (earliest 80 % to train).
    /// </summary>
    private static async Task<string> FromLogAsync(StackPaths paths, CliArgs args)
    {
        var root = RepositoryRoot.Find();
        var arm = args.String("arm", "champion");
        var request = RequestOf(args, root, "mlops.predictions") with { DataSource = "mlops" };
        if (request.Window is { From: not null } or { To: not null } or { HoldoutFrom: not null } || request.MaxRows is not null)
        {
            throw new CliException("--from-log trains on every labeled prediction of the arm; --from, --to, --holdout-from and --rows apply to a flights file");
        }
        var stack = paths.Endpoints();
        var clock = Stopwatch.StartNew();
        var predictions = await Rollouts.TopicSnapshot.ReadAsync<Prediction>(stack, TopicCatalog.Predictions, CancellationToken.None);
        var labels = await Rollouts.TopicSnapshot.ReadAsync<Label>(stack, TopicCatalog.Labels, CancellationToken.None);
        var set = LoggedTrainingSet.Join(predictions.Select(p => p.Value).OfType<Prediction>(), labels.Select(l => l.Value).OfType<Label>(), arm);
        Console.WriteLine($"read {predictions.Count} predictions and {labels.Count} labels; {set.Describe(arm)}");
        var (train, holdout) = ChronologicalSplit.Split(set.Rows.Select(r => r.Row).ToList(), request.TrainFraction);
        TrainingReport report;
        try
        {
            report = FlightDelayTrainer.TrainOnRows(request, train, holdout,
                $"{set.Describe(arm)}; train = earliest {train.Count}, holdout = latest {holdout.Count}");
        }
        catch (TrainingException ex)
        {
            throw new CliException("train: " + ex.Message);
        }
        Print(report, clock);
        return report.ManifestPath;
    }

    /// <summary>The request the options ask for; a malformed or inconsistent option is a <see cref="CliException"/> naming it.</summary>
    public static TrainingRequest RequestOf(CliArgs args, string root, string data)
    {
        var trainer = args.String("trainer", TrainerKinds.Name(TrainerKind.FastTree));
        var window = new TrainingWindow(Time(args, "from"), Time(args, "to"), Time(args, "holdout-from"));
        if (window.Problems() is { Count: > 0 } problems)
        {
            throw new CliException(string.Join("; ", problems));
        }
        return new TrainingRequest(
            data,
            Path.GetFullPath(args.String("spec", "infra/examples/flights/spec.yaml"), root),
            Path.GetFullPath(args.String("out", "models/flight-delay"), root),
            args.String("name", "flight-delay"),
            args.String("version", "1"),
            args.Int("rows", 0, min: 0) is > 0 and var rows ? rows : null,
            args.Int("seed", 1, min: 0),
            Trainer: TrainerKinds.Parse(trainer)
                ?? throw new CliException($"--trainer must be one of {string.Join(", ", TrainerKinds.Names)} (got '{trainer}')"),
            Window: window);
    }

    private static DateTime? Time(CliArgs args, string option)
    {
        if (!args.Flag(option))
        {
            return null;
        }
        var text = args.String(option, "");
        return TrainingWindow.TryParseTime(text, out var time)
            ? time
            : throw new CliException($"--{option} must be {string.Join(" or ", TrainingWindow.TimeFormats)} (got '{text}')");
    }

    private static void Print(TrainingReport report, Stopwatch clock)
    {
        Console.WriteLine($"artifact: {report.ArtifactPath} (sha256 {report.Manifest.Sha256})");
        Console.WriteLine($"manifest: {report.ManifestPath}");
        Console.WriteLine($"lineage:  {report.Manifest.TrainingData}");
        Console.WriteLine("inputs:   " + string.Join(", ", report.Manifest.Inputs.Select(i => $"{i.Feature}->{i.OnnxInput}")));
        Console.WriteLine($"outputs:  probability={report.Manifest.Outputs.Probability} label={report.Manifest.Outputs.Label}");
        foreach (var (name, value) in report.Manifest.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-26} {value:G6}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained and verified in {clock.Elapsed.TotalSeconds:F1} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"holdout auc {report.Manifest.Metrics["auc"]:F4}, ONNX parity max |diff| {report.Manifest.Metrics["onnx_parity_max_abs_diff"]:G3} (limit {TrainingRequest.MaxParityDiff:G})"));
    }
}
