using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.SchemaRegistry;
using MlOps.Cli.Demo;
using MlOps.Cli.Deployments;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>
/// <c>demo</c>: the platform's main job on the flight-delay example, start to finish. Trains (or reuses) the champion
/// and the challenger, starts the embedded stack and every service, registers and deploys both, replays the flights
/// with their delayed labels, waits until every departure was scored by every arm, prints the report and stops
/// what it started (unless <c>--keep</c>). Ctrl+C or SIGTERM ends it early, through the same stop.
/// </summary>
internal static class DemoCommand
{
    public const string Deployment = "flight-delay";
    public const string DepartureType = "flight_departure";

    /// <summary>The example's two models: the manifest's version, the trainer that makes it, its role.</summary>
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
        using var signals = new TerminationSignals();
        var ct = signals.Token;
        try
        {
            Step("data");
            var plan = await ReplayCommand.PlanAsync(replay, ct); // a bad file fails here, before anything starts
            ct.ThrowIfCancellationRequested();

            Step("models");
            var manifests = new List<string>();
            foreach (var m in Models)
            {
                manifests.Add(await EnsureModelAsync(root, data, m.Version, m.Trainer, m.Role, ct));
            }
            ct.ThrowIfCancellationRequested();

            Step("stack");
            // Refuses a stack that is already running (it is not ours to stop); stops its own if it never gets ready.
            await UpCommand.RunAsync(paths, CliArgs.Parse(["--detach"]), ["up", "--spec", Path.Combine(example, "spec.yaml")]);
            try
            {
                return await RunOnStackAsync(paths, Path.Combine(example, "deployment.yaml"), manifests, replay, plan, timeout, clock, ct);
            }
            finally
            {
                if (keep)
                {
                    Console.WriteLine($"the stack keeps running (--keep): source {paths.EnvFile}; './mlops down' stops it");
                }
                else
                {
                    Step("stopping the stack");
                    await DownCommand.RunAsync(paths);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("mlops: demo interrupted");
            return 130;
        }
    }

    private static async Task<int> RunOnStackAsync(
        StackPaths paths, string deploymentFile, IReadOnlyList<string> manifests, ReplayCommand.Request replay, ReplayCommand.ReplayPlan plan,
        TimeSpan timeout, Stopwatch clock, CancellationToken ct)
    {
        var stack = paths.Endpoints();
        var endpoints = StackEnvFile.Read(paths.EnvFile);

        Step("register and deploy");
        foreach (var manifest in manifests)
        {
            await ModelsCommand.RegisterAsync(paths, [manifest]);
        }
        await DeploymentsCommand.DeployFileAsync(paths, new DeployFileArgs(deploymentFile, "./mlops demo: champion and challenger"));
        await WaitForDeploymentAsync(endpoints["INFERENCE_URL"], Models.Select(m => $"{Deployment}:{m.Version}").ToList(), ct);

        Step("replay");
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var followers = new DemoFollowers(stack, registry, new DemoTally(DepartureType, Arms));
        var started = clock.Elapsed;
        var counts = await ReplayCommand.ReplayAsync(stack, replay, plan, ct);

        Step("waiting until every departure is scored by every arm");
        var deadline = DateTime.UtcNow + timeout;
        while (!await followers.CatchUpAsync(ct))
        {
            if (DateTime.UtcNow > deadline)
            {
                Console.Error.WriteLine($"mlops: demo: not drained after {timeout.TotalSeconds:F0} s: {followers.Tally.Missing()}; see the service logs in {paths.Directory}");
                return 1;
            }
            await Task.Delay(PollInterval, ct);
        }
        var drainedAfter = clock.Elapsed - started;

        var summary = followers.Tally.Summarize();
        Console.WriteLine();
        Console.Write(DemoReport.Text(summary, counts, drainedAfter, endpoints, paths));
        var json = Path.Combine(paths.Directory, "demo-report.json");
        await File.WriteAllTextAsync(json, DemoReport.ToJson(summary, counts, drainedAfter), ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"report     {json}; the demo took {clock.Elapsed.TotalSeconds:F0} s"));
        return 0;
    }

    private static void Step(string what) => Console.WriteLine($"-- {what}");

    /// <summary>The checked-in manifest of that version, trained first when it is missing.</summary>
    private static async Task<string> EnsureModelAsync(string root, string data, string version, string trainer, string role, CancellationToken ct)
    {
        var manifest = Path.Combine(root, "models", Deployment, $"{Deployment}-{version}.model.json");
        if (File.Exists(manifest))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reusing {Deployment}:{version} ({role}, {trainer}): holdout AUC {HoldoutAuc(manifest):F3}, {manifest}"));
            return manifest;
        }
        Console.WriteLine($"training {Deployment}:{version} ({role}, {trainer}) on the earliest 80 % of {data}: the report's AUC over those flights is in-sample");
        await TrainCommand.TrainAsync(CliArgs.Parse(["--data", data, "--version", version, "--trainer", trainer]), ct);
        return manifest;
    }

    private static double HoldoutAuc(string manifest)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(manifest));
            return document.RootElement.GetProperty("metrics").GetProperty("auc").GetDouble();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new CliException($"demo: {manifest}: no readable metrics.auc ({ex.Message}); retrain it with ./mlops train");
        }
    }

    /// <summary>
    /// Waits until the inference service serves the deployment with every model. An unanswered or unexpected
    /// response is retried until the deadline, then reported with what the service said it refused.
    /// </summary>
    private static async Task WaitForDeploymentAsync(string inferenceUrl, IReadOnlyList<string> models, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(inferenceUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + ReadyTimeout;
        var last = "no answer yet";
        while (true)
        {
            try
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
                last = $"serving {(served.Count == 0 ? "nothing of it" : string.Join(", ", served))}; refused: {state.RootElement.GetProperty("refused")}";
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                last = $"{inferenceUrl}/v1/models: {ex.Message}";
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new CliException($"demo: inference did not serve {string.Join(", ", models)} within {ReadyTimeout.TotalSeconds:F0} s ({last})");
            }
            await Task.Delay(200, ct);
        }
    }
}
