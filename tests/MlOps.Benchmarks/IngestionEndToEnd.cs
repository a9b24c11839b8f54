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
        var events = Args.Int(args, "--events", 50_000);
        var warmup = Args.Int(args, "--warmup", 20_000);
        var rate = Args.Int(args, "--rate", 2_000);
        var seconds = Args.Int(args, "--seconds", 5);
        Console.WriteLine($"ingestion benchmark: {warmup} warm-up events, {events} backlog events, then {rate}/s for {seconds} s; {Environment.ProcessorCount} cores");
        await using var stack = await EmbeddedStack.StartAsync(new EmbeddedStackOptions(), CancellationToken.None);
        stack.Kafka.CreateTopic(PassThroughOut, 6);
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.Endpoints.SchemaRegistryUrl });
        // Idempotent, so a retried produce cannot put an event in the backlog twice (the service would count the copy as a duplicate).
        using var producer = new ProducerBuilder<string, EventEnvelope>(new ProducerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap, LingerMs = 5, EnableIdempotence = true })
            .SetValueSerializer(new AvroSerializer<EventEnvelope>(registry).AsSyncOverAsync()).Build();
        var spec = Path.Combine(Repository.Root(), "specs", "flights.yaml");

        // Both paths run in this process and JIT on first use; the service has far more code to tier up than the
        // pass-through, and on 2 cores the JIT competes with the work. So each path first runs over a warm-up
        // backlog of its own; the measured runs then start, in fresh consumer groups, where the warm-up ended.
        // (Re-joining the warm-up groups instead sometimes waits out a 45 s session timeout on the mock broker.)
        if (warmup > 0)
        {
            Publish(producer, "warmup", warmup);
            using (var pass = new PassThrough(stack.Endpoints.KafkaBootstrap, TopicCatalog.EventsRaw, PassThroughOut))
            {
                await MeasureAsync(() => pass.Forwarded, warmup);
            }
            var processedBefore = ProcessedCount();
            var warm = await InProcessIngestion.StartAsync(stack.Endpoints, spec);
            await MeasureAsync(() => ProcessedCount() - processedBefore, warmup);
            await warm.DisposeAsync();
        }
        var backlogStart = EndOffsets(stack.Endpoints.KafkaBootstrap, TopicCatalog.EventsRaw);
        Publish(producer, "backlog", events);
        var passGroup = StartGroupAt(stack.Endpoints.KafkaBootstrap, "bench-passthrough-", backlogStart);
        var serviceGroup = StartGroupAt(stack.Endpoints.KafkaBootstrap, "bench-ingestion-", backlogStart);

        // Throughput over the backlog: first output to last.
        double passRate, ingestRate;
        using (var pass = new PassThrough(stack.Endpoints.KafkaBootstrap, TopicCatalog.EventsRaw, PassThroughOut, groupId: passGroup))
        {
            passRate = await MeasureAsync(() => pass.Forwarded, events);
        }
        var processedBeforeRun = ProcessedCount();
        var service = await InProcessIngestion.StartAsync(stack.Endpoints, spec, serviceGroup);
        ingestRate = await MeasureAsync(() => ProcessedCount() - processedBeforeRun, events);
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

    /// <summary>The end of every partition of <paramref name="topic"/>: where the next published event will go.</summary>
    private static List<TopicPartitionOffset> EndOffsets(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-offsets" }).Build();
        return Enumerable.Range(0, TopicCatalog.Get(topic).Partitions)
            .Select(p => new TopicPartition(topic, p))
            .Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High))
            .ToList();
    }

    /// <summary>A new consumer group whose committed offsets are <paramref name="offsets"/>, so it starts reading there.</summary>
    private static string StartGroupAt(string bootstrap, string prefix, IReadOnlyList<TopicPartitionOffset> offsets)
    {
        var group = prefix + Guid.NewGuid().ToString("N");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group, EnableAutoCommit = false }).Build();
        consumer.Commit(offsets);
        return group;
    }

    /// <summary>What the service did with what it read, for a run that does not finish.</summary>
    private static string ServiceCounters() =>
        $"service so far: {string.Join(", ", new[] { "validated", "quarantined", "duplicate" }.Select(o => $"{o} {IngestionMetrics.Events.WithLabels("kafka", "flight_departure", o).Value}"))}, " +
        $"consumer processed {MlOps.Common.Kafka.ConsumerMetrics.Messages.WithLabels("ingestion-raw", TopicCatalog.EventsRaw, "processed").Value}, " +
        $"partitions revoked {MlOps.Common.Kafka.ConsumerMetrics.PartitionsRevoked.WithLabels("ingestion-raw").Value}";

    /// <summary>Inputs the service has finished with, whatever the outcome: the pass-through counts every message too.</summary>
    private static double ProcessedCount() =>
        new[] { "validated", "quarantined", "duplicate" }.Sum(o => IngestionMetrics.Events.WithLabels("kafka", "flight_departure", o).Value);

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
            if (watch.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"only {count()} of {target} within 5 minutes; {ServiceCounters()}");
        }
        return (target - start) / watch.Elapsed.TotalSeconds;
    }
}
