using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Contracts;
using MlOps.Stack;

namespace MlOps.Cli.Replay;

/// <summary>
/// Publishes a replay plan as a producer application would: departures and arrivals as Avro <see cref="EventEnvelope"/>s
/// to <c>mlops.events.raw</c> (keyed by the flight, so a flight's events share a partition), labels to
/// <c>mlops.labels</c> (keyed by the departure's event id they join on). Every record is acknowledged or the replay
/// fails naming how many were not; none is given up silently.
/// </summary>
internal static class FlightReplayer
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(60);

    /// <param name="items">The plan, in publication order; enumerated once, as it is published.</param>
    /// <param name="total">How many items the plan holds (two per departure), for progress.</param>
    public static async Task<ReplayCounts> PublishAsync(
        StackEndpoints stack, IEnumerable<ReplayItem> items, int total, double speed, ReplayProgress progress, CancellationToken ct)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = stack.KafkaBootstrap,
            EnableIdempotence = true,
            LingerMs = 5,
            ClientId = ReplayOptions.ProducerId,
        };
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var events = new ProducerBuilder<string, EventEnvelope>(config)
            .SetValueSerializer(new AvroSerializer<EventEnvelope>(registry).AsSyncOverAsync())
            .Build();
        using var labels = new DependentProducerBuilder<string, Label>(events.Handle)
            .SetValueSerializer(new AvroSerializer<Label>(registry).AsSyncOverAsync())
            .Build();

        var failures = new DeliveryFailures();
        ReplayPacer? pacer = null; // paced from the first item's event time
        var clock = Stopwatch.StartNew();
        int departures = 0, arrivals = 0, labelCount = 0;
        var eventTime = default(DateTime);
        var interrupted = false;
        foreach (var item in items)
        {
            pacer ??= new ReplayPacer(speed, item.At);
            if (pacer.DueAfter(item.At) - clock.Elapsed is { Ticks: > 0 } wait)
            {
                // A cancelled wait still reaches the flush below: what was produced is delivered and counted.
                await Task.Delay(wait, ct).ContinueWith(static _ => { }, TaskScheduler.Default);
            }
            if (ct.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }
            Produce(events, TopicCatalog.EventsRaw, item.Event.entity_id, item.Event, failures);
            if (item.Label is { } label)
            {
                Produce(labels, TopicCatalog.Labels, label.join_key, label, failures);
                labelCount++;
                arrivals++;
            }
            else
            {
                departures++;
            }
            eventTime = item.At;
            progress.Report(new ReplayCounts(departures, arrivals, labelCount, total, eventTime, clock.Elapsed));
        }
        var unsent = events.Flush(FlushTimeout);
        var counts = new ReplayCounts(departures, arrivals, labelCount, total, eventTime, clock.Elapsed);
        progress.Report(counts);
        progress.Complete();
        if (interrupted)
        {
            Console.WriteLine($"interrupted: {counts.Describe()} published and acknowledged ({unsent} unacknowledged, {failures.Count} refused)");
            throw new OperationCanceledException(ct);
        }
        if (unsent > 0 || failures.Count > 0)
        {
            throw new CliException(
                $"replay: {failures.Count} records were refused by Kafka and {unsent} were still unacknowledged after {FlushTimeout.TotalSeconds:F0} s; first error: {failures.First ?? "none"}");
        }
        return counts;
    }

    /// <summary>Produces with a delivery report; a full local queue waits for deliveries instead of failing.</summary>
    private static void Produce<T>(IProducer<string, T> producer, string topic, string key, T value, DeliveryFailures failures)
    {
        var message = new Message<string, T> { Key = key, Value = value };
        while (true)
        {
            try
            {
                producer.Produce(topic, message, failures.Observe);
                return;
            }
            catch (ProduceException<string, T> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
            catch (ProduceException<string, T> ex)
            {
                throw new CliException($"replay: producing to {topic} failed: {ex.Error.Reason}");
            }
        }
    }

    /// <summary>Delivery reports that came back with an error, counted on librdkafka's delivery thread.</summary>
    private sealed class DeliveryFailures
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public string? First { get; private set; }

        public void Observe<T>(DeliveryReport<string, T> report)
        {
            if (!report.Error.IsError) return;
            if (Interlocked.Increment(ref _count) == 1)
            {
                First = $"{report.Topic}: {report.Error.Reason}";
            }
        }
    }
}
