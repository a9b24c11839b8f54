using System.Diagnostics;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Contracts;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Stack;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.Stack;

/// <summary>The embedded stack seen from outside: Debian's kcat, another process's Avro, and `mlops up`/`down`.</summary>
public sealed partial class EmbeddedStackTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Up_detach_serves_every_catalog_topic_to_kcat_and_down_leaves_no_process()
    {
        using var cli = new MlopsCli();
        var (upCode, upOutput) = await cli.RunAsync(Timeout, "up", "--detach");
        output.WriteLine(upOutput);
        Assert.Equal(0, upCode);
        var downCode = -1;
        var pids = new[] { "stack.pid", "redis.pid" }.Concat(MlOps.Cli.ServiceCatalog.All.Select(s => s.Name + ".pid")).Select(f => int.Parse(File.ReadAllText(Path.Combine(cli.Home, f)))).ToArray();
        try
        {
            var stack = StackEndpoints.FromEnvFile(Path.Combine(cli.Home, "stack.env"));
            Assert.Contains("KAFKA_BOOTSTRAP=" + stack.KafkaBootstrap, upOutput, StringComparison.Ordinal);
            await AssertServicesAreReadyAsync(cli);

            var listing = await RunAsync("kcat", "-L", "-b", stack.KafkaBootstrap);
            var partitions = TopicLine().Matches(listing).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
            Assert.Contains(" 3 brokers:", listing, StringComparison.Ordinal);
            Assert.All(TopicCatalog.All, t => Assert.Equal(t.Partitions, partitions.GetValueOrDefault(t.Name)));

            await AssertAvroCrossesProcessesAsync(cli, stack);
        }
        finally
        {
            (downCode, var downOutput) = await cli.RunAsync(Timeout, "down");
            output.WriteLine(downOutput);
        }
        Assert.Equal(0, downCode);
        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"process {pid} still running after down"));
        Assert.False(File.Exists(Path.Combine(cli.Home, "stack.env")));
    }

    /// <summary>Every service `up` started answers /health/ready at the URL it wrote to stack.env.</summary>
    private static async Task AssertServicesAreReadyAsync(MlopsCli cli)
    {
        var variables = StackEnvFile.Read(Path.Combine(cli.Home, "stack.env"));
        using var http = new HttpClient();
        foreach (var service in MlOps.Cli.ServiceCatalog.All)
        {
            Assert.True(variables.TryGetValue(service.UrlVariable, out var url), $"{service.UrlVariable} missing from stack.env");
            using var ready = await http.GetAsync(url + "/health/ready");
            Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
            // Runtime settings a service is deployed with (the inference GC budget) reach its process.
            var environment = File.ReadAllText($"/proc/{File.ReadAllText(Path.Combine(cli.Home, service.Name + ".pid")).Trim()}/environ").Split('\0');
            foreach (var (name, value) in service.Runtime ?? new Dictionary<string, string>())
            {
                Assert.Contains($"{name}={value}", environment);
            }
        }
        Assert.Contains(MlOps.Cli.ServiceCatalog.All, s => s.Runtime?.ContainsKey(MlOps.Inference.InferenceRuntime.Gen0BudgetVariable) == true);
    }

    /// <summary>`mlops probe produce` (another process, Confluent's serializer) is read here with Confluent's deserializer.</summary>
    private async Task AssertAvroCrossesProcessesAsync(MlopsCli cli, StackEndpoints stack)
    {
        var (code, produced) = await cli.RunAsync(Timeout, "probe", "produce", "--count", "5");
        output.WriteLine(produced);
        Assert.Equal(0, code);
        var runId = ProbeRun().Match(produced).Groups[1].Value;

        using var registry = new Confluent.SchemaRegistry.CachedSchemaRegistryClient(new Confluent.SchemaRegistry.SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var consumer = new ConsumerBuilder<string, EventEnvelope>(new ConsumerConfig
            {
                BootstrapServers = stack.KafkaBootstrap,
                GroupId = StackFixture.NewGroupId("probe"),
                AutoOffsetReset = AutoOffsetReset.Earliest,
            })
            .SetValueDeserializer(new AvroDeserializer<EventEnvelope>(registry).AsSyncOverAsync())
            .Build();
        consumer.Subscribe(TopicCatalog.EventsRaw);
        var events = new List<EventEnvelope>();
        var deadline = DateTime.UtcNow + Timeout;
        while (events.Count < 5 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200))?.Message?.Value is { } envelope)
            {
                events.Add(envelope);
            }
        }
        consumer.Close();
        Assert.Equal(5, events.Count(e => e.event_id.StartsWith($"probe-{runId}-", StringComparison.Ordinal)));
        Assert.All(events, e => Assert.Equal("JFK", e.attributes["origin"]));
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(Timeout);
        var stdout = await process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"{file} exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync(cts.Token)}");
        return stdout;
    }

    private static bool IsRunning(int pid) => File.Exists($"/proc/{pid}/status") &&
        !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal);

    [GeneratedRegex("topic \"([^\"]+)\" with (\\d+) partitions")]
    private static partial Regex TopicLine();

    [GeneratedRegex("run ([0-9a-f]{8})")]
    private static partial Regex ProbeRun();
}
