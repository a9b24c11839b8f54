using System.Diagnostics;
using System.Globalization;
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
        var events = IntArg(args, "--events", 50_000);
        var rate = IntArg(args, "--rate", 2_000);
        var seconds = IntArg(args, "--seconds", 5);
        Console.WriteLine($"ingestion benchmark: {events} backlog events, then {rate}/s for {seconds} s; {Environment.ProcessorCount} cores");
        await using var stack = await EmbeddedStack.StartAsync(new EmbeddedStackOptions(), CancellationToken.None);
        stack.Kafka.CreateTopic(PassThroughOut, 6);
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.Endpoints.SchemaRegistryUrl });
        using var producer = new ProducerBuilder<string, EventEnvelope>(new ProducerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap, LingerMs = 5 })
            .SetValueSerializer(new AvroSerializer<EventEnvelope>(registry).AsSyncOverAsync()).Build();
        var now = DateTime.UtcNow;
        for (var i = 0; i < events; i++)
        {
            var e = SampleEvents.Departure($"backlog-{i}", now.AddMinutes(-1), i % 24);
            producer.Produce(TopicCatalog.EventsRaw, new Message<string, EventEnvelope> { Key = e.entity_id, Value = e });
        }
        producer.Flush(TimeSpan.FromMinutes(2));

        // Throughput over the backlog: first output to last.
        double passRate, ingestRate;
        using (var pass = new PassThrough(stack.Endpoints.KafkaBootstrap, TopicCatalog.EventsRaw, PassThroughOut))
        {
            passRate = await MeasureAsync(() => pass.Forwarded, events);
        }
        var spec = Path.Combine(Repository.Root(), "specs", "flights.yaml");
        var service = await InProcessIngestion.StartAsync(stack.Endpoints, spec);
        ingestRate = await MeasureAsync(ValidatedCount, events);
        Console.WriteLine();
        Console.WriteLine($"{"throughput (backlog)",-28} {"events/s",12}");
        Console.WriteLine($"{"raw pass-through",-28} {passRate,12:N0}");
        Console.WriteLine($"{"ingestion service",-28} {ingestRate,12:N0}");
        Console.WriteLine($"{"ratio service/pass-through",-28} {ingestRate / passRate,12:P1}");

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

    private static double ValidatedCount() =>
        IngestionMetrics.Events.WithLabels("kafka", "flight_departure", "validated").Value;

    private static async Task<double> MeasureAsync(Func<double> count, int target)
    {
        var deadline = Stopwatch.StartNew();
        while (count() < 1)
        {
            await Task.Delay(1);
            if (deadline.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("no output within 2 minutes");
        }
        var start = count();
        var watch = Stopwatch.StartNew();
        while (count() < target)
        {
            await Task.Delay(1);
            if (watch.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"only {count()} of {target} within 5 minutes");
        }
        return (target - start) / watch.Elapsed.TotalSeconds;
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
