using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Contracts;
using MlOps.Ingestion;
using MlOps.Stack;

namespace MlOps.Benchmarks;

/// <summary>
/// Ingestion on the embedded stack next to a raw pass-through of the same bytes, in one process: throughput over a
/// backlog of N events, then end-to-end latency percentiles at a fixed rate. Prints both and the ratios.
/// </summary>
internal static class IngestionEndToEnd
{
    private const string PassThroughOut = "bench.passthrough.out";

    public static async Task<int> RunAsync(string[] args)
    {
        var events = Args.Int(args, "--events", 50_000);
        var warmup = Args.Int(args, "--warmup", 20_000);
        var rate = Args.Int(args, "--rate", 2_000);
        var seconds = Args.Int(args, "--seconds", 5);
        Console.WriteLine($"ingestion benchmark: backlog of {warmup + events} events timed over the last {events}, then {rate}/s for {seconds} s; " +
            $"{Environment.ProcessorCount} cores; {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC; " +
            $"tiered compilation {(Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") == "0" ? "off" : "on")}");
        await using var stack = await EmbeddedStack.StartAsync(new EmbeddedStackOptions(), CancellationToken.None);
        stack.Kafka.CreateTopic(PassThroughOut, 6);
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.Endpoints.SchemaRegistryUrl });
        // Idempotent, so a retried produce cannot put an event in the backlog twice (the service would count the copy as a duplicate).
        using var producer = new ProducerBuilder<string, EventEnvelope>(new ProducerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap, LingerMs = 5, EnableIdempotence = true })
            .SetValueSerializer(new AvroSerializer<EventEnvelope>(registry).AsSyncOverAsync()).Build();
        var spec = Path.Combine(Repository.Root(), "infra", "examples", "flights", "spec.yaml");

        // Both paths run in this process and JIT on first use; the service has far more code to tier up than the
        // pass-through, and on 2 cores the JIT competes with the work (restarting the service for the measurement
        // would recompile its start-up code again). So each path reads one backlog of warm-up + measured events,
        // and its rate is timed over the measured events only, after the warm-up ones.
        Publish(producer, "backlog", warmup + events);
        Throughput passRate, ingestRate;
        using (var pass = new PassThrough(stack.Endpoints.KafkaBootstrap, TopicCatalog.EventsRaw, PassThroughOut))
        {
            passRate = await MeasureAsync(() => pass.Forwarded, warmup, warmup + events);
        }
        var processedBefore = ProcessedCount();
        var service = await InProcessIngestion.StartAsync(stack.Endpoints, spec);
        ingestRate = await MeasureAsync(() => ProcessedCount() - processedBefore, warmup, warmup + events);
        Console.WriteLine();
        Console.WriteLine($"{"throughput (backlog)",-28} {"events/s",12} {"cpu us/event",14} {"jit",10}");
        Console.WriteLine(passRate.Format("raw pass-through"));
        Console.WriteLine(ingestRate.Format("ingestion service"));
        Console.WriteLine($"{"ratio service/pass-through",-28} {ingestRate.EventsPerSecond / passRate.EventsPerSecond,12:P1}");
        Console.WriteLine("(cpu: this process, embedded Kafka included, redis-server not; jit: methods compiled while timed)");

        // Latency at a fixed rate, service running and caught up.
        var latencies = await PacedLatency.MeasureAsync(stack.Endpoints, registry, rate, seconds);
        await service.DisposeAsync();
        LatencySummary baseline;
        using (var pass = new PassThrough(stack.Endpoints.KafkaBootstrap, TopicCatalog.EventsRaw, PassThroughOut, fromLatest: true))
        {
            var waited = Stopwatch.StartNew();
            while (!pass.Assigned && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }
            baseline = await PacedLatency.MeasurePassThroughAsync(stack.Endpoints, registry, rate, seconds, PassThroughOut);
        }
        Console.WriteLine();
        Console.WriteLine($"{"latency at " + rate + "/s",-28} {"p50 ms",8} {"p99 ms",8} {"max ms",8} {"n",7}");
        Console.WriteLine(latencies.Format("ingestion service"));
        Console.WriteLine(baseline.Format("raw pass-through"));
        return 0;
    }

    private static void Publish(IProducer<string, EventEnvelope> producer, string prefix, int count)
    {
        var now = DateTime.UtcNow;
        var failed = 0;
        for (var i = 0; i < count; i++)
        {
            var e = SampleEvents.Departure($"{prefix}-{i}", now.AddMinutes(-1), i % 24);
            producer.Produce(TopicCatalog.EventsRaw, new Message<string, EventEnvelope> { Key = e.entity_id, Value = e },
                report => { if (report.Error.IsError) Interlocked.Increment(ref failed); });
        }
        if (producer.Flush(TimeSpan.FromMinutes(2)) > 0 || failed > 0)
        {
            throw new InvalidOperationException($"publishing the {prefix} events failed: {failed} errors");
        }
    }

    /// <summary>What the service did with what it read, for a run that does not finish.</summary>
    private static string ServiceCounters() =>
        $"service so far: {string.Join(", ", new[] { "validated", "quarantined", "duplicate" }.Select(o => $"{o} {IngestionMetrics.Events.WithLabels("kafka", "flight_departure", o).Value}"))}, " +
        $"consumer processed {MlOps.Common.Kafka.ConsumerMetrics.Messages.WithLabels("ingestion-raw", TopicCatalog.EventsRaw, "processed").Value}, " +
        $"partitions revoked {MlOps.Common.Kafka.ConsumerMetrics.PartitionsRevoked.WithLabels("ingestion-raw").Value}";

    /// <summary>Inputs the service has finished with, whatever the outcome: the pass-through counts every message too.</summary>
    private static double ProcessedCount() =>
        new[] { "validated", "quarantined", "duplicate" }.Sum(o => IngestionMetrics.Events.WithLabels("kafka", "flight_departure", o).Value);

    /// <summary>
    /// Events per second from the moment <paramref name="count"/> reaches <paramref name="from"/> (at least 1) to
    /// <paramref name="to"/>, with this process's CPU time per event and the methods JIT-compiled meanwhile.
    /// </summary>
    private static async Task<Throughput> MeasureAsync(Func<double> count, int from, int to)
    {
        var deadline = Stopwatch.StartNew();
        while (count() < Math.Max(1, from))
        {
            await Task.Delay(1);
            if (deadline.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"only {count()} of {from} warm-up events within 2 minutes; {ServiceCounters()}");
        }
        var start = count();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var jitted = JitInfo.GetCompiledMethodCount();
        var watch = Stopwatch.StartNew();
        while (count() < to)
        {
            await Task.Delay(1);
            if (watch.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"only {count()} of {to} within 5 minutes; {ServiceCounters()}");
        }
        var elapsed = watch.Elapsed;
        var events = to - start;
        return new Throughput(
            events / elapsed.TotalSeconds,
            (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / events,
            JitInfo.GetCompiledMethodCount() - jitted);
    }

    private sealed record Throughput(double EventsPerSecond, double CpuMicrosPerEvent, long JitCompiled)
    {
        public string Format(string name) => $"{name,-28} {EventsPerSecond,12:N0} {CpuMicrosPerEvent,14:F1} {JitCompiled,10}";
    }
}
