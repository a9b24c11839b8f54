using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Confluent.SchemaRegistry;
using MlOps.Common.Kafka;
using MlOps.Contracts;
using MlOps.Contracts.Codegen;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Rollout;
using MlOps.Stack;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.Rollout;

/// <summary>
/// Staged rollouts driven only through the <c>mlops</c> CLI, as the README's session does: <c>up --detach</c> with the
/// flights spec, <c>models register</c>, <c>deploy -f</c>, <c>rollout start -f</c>, then real departures through
/// <c>replay</c> (ingestion, features, inference, rollout: every service in its own process) until
/// <c>rollout status</c> shows the rollout finished (or <c>rollout abort</c> ends it); <c>deployments</c> shows what
/// serves afterwards and <c>mlops.alerts</c> what was raised.
/// </summary>
[Collection(CliStackCollection.Name)]
public sealed partial class RolloutCliTests(ITestOutputHelper output)
{
    private const string Deployment = "flight-delay";

    /// <summary>Departures added per round of traffic; each round replays the file's earliest rows again plus this many new ones.</summary>
    private const int RoundDepartures = 150;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RolloutTimeout = TimeSpan.FromSeconds(75);

    // The champion answers every departure; a candidate that cannot score falls back to this constant.
    private const string DeploymentYaml = """
        deployments:
          - deployment: flight-delay
            event_types: [flight_departure]
            champion: flight-delay:1
            fallback_constant: 0.2
        """;

    [Fact]
    public async Task A_candidate_within_its_gates_advances_through_every_stage_and_becomes_the_champion()
    {
        await OnOwnStackAsync(async cli =>
        {
            await RegisterAndDeployAsync(cli, Path.Combine(RepoRoot.Find(AppContext.BaseDirectory), "models", "flight-delay", "flight-delay-2.model.json"));
            await StartRolloutAsync(cli, "flight-delay:2", """
                stages:
                  - name: shadow
                    shadow: true
                    min_duration: 0
                    min_samples: 20
                    gates: {error_rate: 0.05, score_shift: 0.5}
                  - name: canary
                    traffic: 0.5
                    min_duration: 1s
                    min_samples: 10
                    gates: {error_rate: 0.05, fallback_rate: 0.05}
                  - name: full
                    traffic: 1
                    min_duration: 0
                    min_samples: 20
                    gates: {error_rate: 0.05, fallback_rate: 0.05}
                """);

            var status = await ReplayUntilAsync(cli, "completed");

            Assert.Equal(["started:-→shadow", "advanced:shadow→canary", "advanced:canary→full", "completed:full→-"],
                Transitions(status, "flight-delay:2"));
            // Every stage was judged on real predictions of the candidate, at least its min_samples of them.
            var judged = Judged().Matches(status).Select(m => (Stage: m.Groups[1].Value, Samples: int.Parse(m.Groups[2].Value))).ToList();
            Assert.Equal(["shadow", "canary", "full"], judged.Select(j => j.Stage));
            Assert.All(judged, j => Assert.True(j.Samples >= (j.Stage == "canary" ? 10 : 20), $"stage '{j.Stage}' judged on {j.Samples} predictions"));
            Assert.Contains("error_rate 0 <= 0.05", status, StringComparison.Ordinal);

            var deployments = await RunAsync(cli, "deployments");
            Assert.Matches(@"(?m)^flight-delay\s+flight_departure\s+champion=flight-delay:2@1\s+0\.2\s+-\s+stable\s+\d+\s+\S.*passed.*$", deployments);
        });
    }

    [Fact]
    public async Task A_candidate_that_cannot_score_falls_back_breaks_its_gate_and_is_rolled_back_with_an_alert()
    {
        await OnOwnStackAsync(async cli =>
        {
            await RegisterAndDeployAsync(cli, BrokenCandidate(cli.Home, "3"));
            await StartRolloutAsync(cli, "flight-delay:3", """
                stages:
                  - name: canary
                    traffic: 0.5
                    min_duration: 0
                    min_samples: 20
                    gates: {error_rate: 0.05, fallback_rate: 0.05}
                  - name: full
                    traffic: 1
                    gates: {error_rate: 0.05, fallback_rate: 0.05}
                """);

            var status = await ReplayUntilAsync(cli, "rolled_back");

            Assert.Equal(["started:-→canary", "rolled_back:canary→-"], Transitions(status, "flight-delay:3"));
            // Every served candidate prediction came from the deployment's constant: the fallback gate, not the error gate, fails.
            Assert.Matches(@"rolled_back canary → - \(deployment revision \d+\): stage 'canary': fallback_rate 1 exceeds max 0\.05 over \d+ candidate predictions", status);

            var deployments = await RunAsync(cli, "deployments");
            Assert.Matches(@"(?m)^flight-delay\s+flight_departure\s+champion=flight-delay:1@1\s+0\.2\s+-\s+rolled_back\s+\d+\s+stage 'canary': fallback_rate 1 exceeds max 0\.05 ", deployments);

            var alert = await AlertAsync(cli, RolloutPublisher.RolledBackAlert);
            Assert.Equal((AlertSeverity.warning, Deployment, "flight-delay:3"), (alert.severity, alert.labels["deployment"], alert.annotations["candidate_model"]));
            Assert.Contains("fallback_rate 1 exceeds max 0.05", alert.annotations["reason"], StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_running_rollout_aborted_from_the_cli_is_rolled_back_to_the_champion_with_an_alert()
    {
        await OnOwnStackAsync(async cli =>
        {
            await RegisterAndDeployAsync(cli, Path.Combine(RepoRoot.Find(AppContext.BaseDirectory), "models", "flight-delay", "flight-delay-2.model.json"));
            // A canary that would wait for far more traffic than it gets: it is still running when it is aborted.
            await StartRolloutAsync(cli, "flight-delay:2", """
                stages:
                  - name: canary
                    traffic: 0.5
                    min_duration: 1h
                    min_samples: 1000000
                    gates: {error_rate: 0.05}
                """);
            var during = await RunAsync(cli, "deployments");
            Assert.Matches(@"(?m)^flight-delay\s+flight_departure\s+champion=flight-delay:1@0\.5 candidate=flight-delay:2@0\.5\s", during);

            var aborted = await RunAsync(cli, "rollout", "abort", Deployment);
            Assert.StartsWith($"aborted '{Deployment}' (tombstone at ", aborted, StringComparison.Ordinal);
            var status = await Eventually.MatchAsync(_ => RunAsync(cli, "rollout", "status", Deployment),
                s => s.Contains(" rolled_back ", StringComparison.Ordinal), RolloutTimeout, $"'rollout status {Deployment}' showing 'rolled_back'");

            Assert.Equal(["started:-→canary", "rolled_back:canary→-"], Transitions(status, "flight-delay:2"));
            Assert.Matches(@"rolled_back canary → - \(deployment revision \d+\): aborted: the rollout record was deleted", status);
            var deployments = await RunAsync(cli, "deployments");
            Assert.Matches(@"(?m)^flight-delay\s+flight_departure\s+champion=flight-delay:1@1\s+0\.2\s+-\s+rolled_back\s+\d+\s+aborted: the rollout record was deleted", deployments);
            var alert = await AlertAsync(cli, RolloutPublisher.AbortedAlert);
            Assert.Equal((AlertSeverity.info, Deployment, "flight-delay:2"), (alert.severity, alert.labels["deployment"], alert.annotations["candidate_model"]));
            Assert.StartsWith("aborted: ", alert.annotations["reason"], StringComparison.Ordinal);
        });
    }

    /// <summary>Reads mlops.alerts of the CLI's stack until an alert of that name is there.</summary>
    private static async Task<Alert> AlertAsync(MlopsCli cli, string name)
    {
        var stack = StackEndpoints.FromEnvFile(Path.Combine(cli.Home, "stack.env"));
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var alerts = new TopicFollower<Alert>(stack.KafkaBootstrap, registry, TopicCatalog.Alerts);
        var seen = new List<Alert>();
        var alert = await Eventually.MatchAsync(
            async ct =>
            {
                await alerts.CatchUpAsync((_, a) => { if (a is not null) seen.Add(a); }, CommandTimeout, ct);
                return seen.FirstOrDefault(a => a.alert_name == name);
            },
            a => a is not null, CommandTimeout, $"a {name} alert on {TopicCatalog.Alerts}");
        return alert!;
    }

    /// <summary>
    /// flight-delay:1's artifact registered under another version, its first input mapped to <c>event.tail_number</c>
    /// (optional in the contract, never sent by replay) and required (<c>"default": null</c>): no row can be scored.
    /// </summary>
    private static string BrokenCandidate(string directory, string version)
    {
        var models = Path.Combine(RepoRoot.Find(AppContext.BaseDirectory), "models", "flight-delay");
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(models, "flight-delay-1.model.json")))!.AsObject();
        manifest["version"] = version;
        manifest["artifact"] = Path.Combine(models, "flight-delay-1.onnx");   // absolute: same artifact, same sha256
        var input = manifest["inputs"]![0]!.AsObject();
        input["feature"] = "event.tail_number";
        input["default"] = null;
        var path = Path.Combine(directory, $"flight-delay-{version}.model.json");
        File.WriteAllText(path, manifest.ToJsonString());
        return path;
    }

    /// <summary>Runs <paramref name="test"/> against a stack of its own, then always takes it down and checks nothing is left running.</summary>
    private async Task OnOwnStackAsync(Func<MlopsCli, Task> test)
    {
        using var cli = new MlopsCli();
        var pids = await UpAsync(cli);
        var downCode = -1;
        try
        {
            await test(cli);
        }
        finally
        {
            downCode = await DownAsync(cli);
        }
        AssertStopped(cli, downCode, pids);
    }

    /// <summary><c>up --detach</c> with the flights spec; returns the pids of everything it started.</summary>
    private async Task<int[]> UpAsync(MlopsCli cli)
    {
        var spec = Path.Combine(RepoRoot.Find(AppContext.BaseDirectory), "infra", "examples", "flights", "spec.yaml");
        int code;
        string text;
        try
        {
            (code, text) = await cli.RunAsync(TimeSpan.FromSeconds(90), "up", "--detach", "--spec", spec);
        }
        catch (TimeoutException)
        {
            await DownAsync(cli); // the background stack is not the CLI's child: only its pid files reach it
            throw;
        }
        output.WriteLine($"$ mlops up --detach --spec {spec}\n{text}");
        if (code != 0)
        {
            await DownAsync(cli);
            Assert.Fail($"up exited {code}");
        }
        return new[] { "stack.pid", "redis.pid" }.Concat(MlOps.Cli.ServiceCatalog.All.Select(s => s.Name + ".pid"))
            .Select(f => int.Parse(File.ReadAllText(Path.Combine(cli.Home, f)))).ToArray();
    }

    /// <summary>Registers flight-delay:1 and the candidate, and deploys flight-delay:1 as the champion.</summary>
    private async Task RegisterAndDeployAsync(MlopsCli cli, string candidateManifest)
    {
        var root = RepoRoot.Find(AppContext.BaseDirectory);
        var champion = await RunAsync(cli, "models", "register", Path.Combine(root, "models", "flight-delay", "flight-delay-1.model.json"));
        Assert.StartsWith("registered flight-delay:1 ", champion, StringComparison.Ordinal);
        var candidate = await RunAsync(cli, "models", "register", candidateManifest);
        Assert.Matches("^registered flight-delay:[0-9]+ ", candidate);

        var file = Path.Combine(cli.Home, "deployment.yaml");
        await File.WriteAllTextAsync(file, DeploymentYaml);
        var deployed = await RunAsync(cli, "deploy", "-f", file, "--reason", "the champion the rollout starts from");
        Assert.Contains("deployed 'flight-delay': champion=flight-delay:1@1 ", deployed, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^flight-delay\s+flight_departure\s+champion=flight-delay:1@1\s.* the champion the rollout starts from$", await RunAsync(cli, "deployments"));
    }

    /// <summary><c>rollout start -f</c>, then waits for the rollout service to start it (no traffic is needed for that).</summary>
    private async Task StartRolloutAsync(MlopsCli cli, string candidate, string stages)
    {
        var file = Path.Combine(cli.Home, "rollout.yaml");
        await File.WriteAllTextAsync(file, $"deployment: {Deployment}\ncandidate: {candidate}\n{stages}");
        var started = await RunAsync(cli, "rollout", "start", "-f", file);
        Assert.StartsWith($"rollout of {candidate} into '{Deployment}' through ", started, StringComparison.Ordinal);
        await Eventually.MatchAsync(_ => RunAsync(cli, "rollout", "status", Deployment),
            status => status.Contains($" {candidate} started - → ", StringComparison.Ordinal), RolloutTimeout,
            $"'rollout status {Deployment}' showing {candidate} started");
    }

    /// <summary>
    /// Rounds of real traffic: each round replays the earliest departures of flights-20k.json, <see cref="RoundDepartures"/>
    /// more than the last (ingestion drops the repeated event ids as duplicates, so only the new ones are scored), then
    /// reads <c>rollout status</c>, until it shows <paramref name="action"/>.
    /// </summary>
    private async Task<string> ReplayUntilAsync(MlopsCli cli, string action)
    {
        var data = FlightsData.Require();
        var limit = 0;
        var status = await Eventually.MatchAsync(
            async _ =>
            {
                limit += RoundDepartures;
                var replayed = await RunAsync(cli, "replay", data, "--limit", $"{limit}");
                Assert.Contains($"replayed {limit.ToString("N0", CultureInfo.InvariantCulture)} departures", replayed, StringComparison.Ordinal);
                return await RunAsync(cli, "rollout", "status", Deployment);
            },
            status => status.Contains($" {action} ", StringComparison.Ordinal), RolloutTimeout,
            $"'rollout status {Deployment}' showing '{action}'");
        output.WriteLine($"{limit} departures replayed in rounds of {RoundDepartures}");
        return status;
    }

    /// <summary>Runs one CLI command, which must succeed; its output goes to the test log.</summary>
    private async Task<string> RunAsync(MlopsCli cli, params string[] args)
    {
        var (code, text) = await cli.RunAsync(CommandTimeout, args);
        output.WriteLine($"$ mlops {string.Join(' ', args)}\n{text}");
        Assert.True(code == 0, $"mlops {string.Join(' ', args)} exited {code}: {text}");
        return text;
    }

    private async Task<int> DownAsync(MlopsCli cli)
    {
        var (code, text) = await cli.RunAsync(CommandTimeout, "down");
        output.WriteLine($"$ mlops down\n{text}");
        return code;
    }

    private static void AssertStopped(MlopsCli cli, int downCode, int[] pids)
    {
        Assert.Equal(0, downCode);
        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"process {pid} still running after down"));
        Assert.False(File.Exists(Path.Combine(cli.Home, "stack.env")));
    }

    /// <summary>The status lines of one candidate as action:from→to, in order.</summary>
    private static List<string> Transitions(string status, string candidate) =>
        Transition().Matches(status).Where(m => m.Groups[1].Value == candidate)
            .Select(m => $"{m.Groups[2].Value}:{m.Groups[3].Value}→{m.Groups[4].Value}").ToList();

    private static bool IsRunning(int pid) => File.Exists($"/proc/{pid}/status") &&
        !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal);

    // 2026-11-29T04:29:28Z flight-delay flight-delay:2 advanced shadow → canary (deployment revision 17…): reason
    [GeneratedRegex(@"(?m)^\S+Z flight-delay (\S+) (\w+) (\S+) → (\S+)")]
    private static partial Regex Transition();

    [GeneratedRegex(@"stage '(\w+)' passed .* over (\d+) candidate predictions")]
    private static partial Regex Judged();
}
