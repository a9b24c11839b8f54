using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using MlOps.Cli.Demo;
using MlOps.Cli.Replay;
using MlOps.Common.Kafka;
using MlOps.Contracts;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>
/// <c>demo</c>: the platform's main job on the flight-delay example, start to finish. Trains (or reuses) the champion
/// and the challenger, starts the embedded stack and every service, registers and deploys both, replays the flights
/// with their delayed labels, waits until every departure was scored by every arm, prints the report and stops
/// what it started (unless <c>--keep</c>).
/// </summary>
internal static class DemoCommand
{
    public const string Deployment = "flight-delay";
    public const string DepartureType = "flight_departure";

    /// <summary>The example's two models: name:version, the manifest's version and the trainer that makes it.</summary>
    private static readonly (string Version, string Trainer, string Role)[] Models =
    [
        ("1", "fasttree", "champion"),
        ("2", "logistic", "challenger (shadow)"),
    ];

    private static readonly string[] Arms = ["champion", "shadow"];
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static async Task<int> RunAsync(StackPaths paths, CliArgs args)
    {
        var root = RepositoryRoot.Find();
        var example = Path.Combine(root, "infra", "examples", "flights");
        var data = Path.GetFullPath(args.String("data", TrainCommand.DefaultData), root);
        var replay = ReplayCommand.Request.Parse(data, args);
        var timeout = TimeSpan.FromSeconds(args.Int("timeout", 300, min: 10));
        var keep = args.Flag("keep");
        var clock = Stopwatch.StartNew();
        // Ctrl+C or SIGTERM ends the run early, but still through the finally that stops the stack.
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        var ct = stop.Token;

        Step("models");
        var manifests = Models.Select(m => EnsureModel(root, data, m.Version, m.Trainer, m.Role)).ToList();

        Step("stack");
        await UpCommand.RunAsync(paths, CliArgs.Parse(["--detach"]), ["up", "--spec", Path.Combine(example, "spec.yaml")]);
        try
        {
            var stack = StackEndpoints.FromEnvFile(paths.EnvFile);
            var endpoints = StackEnvFile.Read(paths.EnvFile);

            Step("register and deploy");
            foreach (var manifest in manifests)
            {
                await ModelsCommand.RegisterAsync(paths, [manifest]);
            }
            await DeploymentsCommand.DeployFileAsync(paths, Path.Combine(example, "deployment.yaml"));
            await WaitForDeploymentAsync(endpoints["INFERENCE_URL"], Models.Select(m => $"flight-delay:{m.Version}").ToList(), ct);

            Step("replay");
            using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
            using var followers = new DemoFollowers(stack, registry, new DemoTally(DepartureType, Arms));
            var started = clock.Elapsed;
            var counts = await ReplayCommand.ReplayAsync(stack, replay, ct);

            Step("waiting until every departure is scored by every arm");
            var deadline = DateTime.UtcNow + timeout;
            while (!await followers.CatchUpAsync(ct))
            {
                if (DateTime.UtcNow > deadline)
                {
                    Console.Error.WriteLine($"mlops: demo: not drained after {timeout.TotalSeconds:F0} s: {followers.Tally.Missing()}; see .mlops/<service>.log");
                    return 1;
                }
                await Task.Delay(PollInterval, ct);
            }
            var drainedAfter = clock.Elapsed - started;

            var summary = followers.Tally.Summarize();
            Console.WriteLine();
            Console.Write(DemoReport.Text(summary, counts, drainedAfter, endpoints));
            var json = Path.Combine(paths.Directory, "demo-report.json");
            await File.WriteAllTextAsync(json, DemoReport.ToJson(summary, counts, drainedAfter));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"report     {json}; the demo took {clock.Elapsed.TotalSeconds:F0} s"));
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("mlops: demo interrupted");
            return 130;
        }
        finally
        {
            if (keep)
            {
                Console.WriteLine("the stack keeps running (--keep): source .mlops/stack.env; './mlops down' stops it");
            }
            else
            {
                Step("stopping the stack");
                await DownCommand.RunAsync(paths);
            }
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static void Step(string what) => Console.WriteLine($"-- {what}");

    /// <summary>The checked-in manifest of that version, trained first when it is missing.</summary>
    private static string EnsureModel(string root, string data, string version, string trainer, string role)
    {
        var manifest = Path.Combine(root, "models", Deployment, $"{Deployment}-{version}.model.json");
        if (File.Exists(manifest))
        {
            var metrics = JsonDocument.Parse(File.ReadAllText(manifest)).RootElement.GetProperty("metrics");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reusing {Deployment}:{version} ({role}, {trainer}): holdout AUC {metrics.GetProperty("auc").GetDouble():F3}, {manifest}"));
            return manifest;
        }
        Console.WriteLine($"training {Deployment}:{version} ({role}, {trainer})");
        TrainCommand.Run(CliArgs.Parse(["--data", data, "--version", version, "--trainer", trainer]));
        return manifest;
    }

    /// <summary>Waits until the inference service serves the deployment with every model (or says why it refused one).</summary>
    private static async Task WaitForDeploymentAsync(string inferenceUrl, IReadOnlyList<string> models, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(inferenceUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            using var state = JsonDocument.Parse(await http.GetStringAsync("/v1/models", ct));
            var served = state.RootElement.GetProperty("deployments").EnumerateArray()
                .Where(d => d.GetProperty("deployment").GetString() == Deployment)
                .SelectMany(d => d.GetProperty("arms").EnumerateArray().Select(a => a.GetProperty("model").GetString()))
                .ToHashSet(StringComparer.Ordinal);
            if (models.All(served.Contains))
            {
                Console.WriteLine($"inference serves {Deployment}: {string.Join(", ", models)}");
                return;
            }
            var refused = state.RootElement.GetProperty("refused").ToString();
            if (DateTime.UtcNow > deadline)
            {
                throw new CliException($"demo: inference did not serve {string.Join(", ", models)} within {ReadyTimeout.TotalSeconds:F0} s (refused: {refused})");
            }
            await Task.Delay(200, ct);
        }
    }

    /// <summary>The topics the report counts, each followed from its beginning into one tally.</summary>
    private sealed class DemoFollowers(StackEndpoints stack, ISchemaRegistryClient registry, DemoTally tally) : IDisposable
    {
        private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
        private readonly TopicFollower<EventEnvelope> _raw = new(stack.KafkaBootstrap, registry, TopicCatalog.EventsRaw);
        private readonly TopicFollower<EventEnvelope> _validated = new(stack.KafkaBootstrap, registry, TopicCatalog.EventsValidated);
        private readonly TopicFollower<QuarantinedEvent> _quarantined = new(stack.KafkaBootstrap, registry, TopicCatalog.EventsQuarantine);
        private readonly TopicFollower<Prediction> _predictions = new(stack.KafkaBootstrap, registry, TopicCatalog.Predictions);
        private readonly TopicFollower<Label> _labels = new(stack.KafkaBootstrap, registry, TopicCatalog.Labels);

        public DemoTally Tally => tally;

        /// <summary>Reads what arrived since the last call; true once everything is accounted for.</summary>
        public async Task<bool> CatchUpAsync(CancellationToken ct)
        {
            try
            {
                await ReadAsync(ct);
            }
            catch (Exception ex) when (ex is TimeoutException or KafkaException)
            {
                throw new CliException("demo: " + ex.Message);
            }
            return tally.Drained;
        }

        private async Task ReadAsync(CancellationToken ct)
        {
            await _raw.CatchUpAsync((_, e) => { if (e is not null) tally.OnRaw(e); }, ReadTimeout, ct);
            await _validated.CatchUpAsync((_, e) => { if (e is not null) tally.OnValidated(e); }, ReadTimeout, ct);
            await _quarantined.CatchUpAsync((_, q) => { if (q is not null) tally.OnQuarantined(q); }, ReadTimeout, ct);
            await _predictions.CatchUpAsync((_, p) => { if (p is not null) tally.OnPrediction(p); }, ReadTimeout, ct);
            await _labels.CatchUpAsync((_, l) => { if (l is not null) tally.OnLabel(l); }, ReadTimeout, ct);
        }

        public void Dispose()
        {
            _raw.Dispose();
            _validated.Dispose();
            _quarantined.Dispose();
            _predictions.Dispose();
            _labels.Dispose();
        }
    }
}
