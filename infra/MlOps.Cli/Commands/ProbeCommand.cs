using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Contracts;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>
/// Smoke checks against a running stack, each in its own process: Avro produced here is read by another process
/// through the schema registry, exactly as producer applications and services do.
/// </summary>
internal static class ProbeCommand
{
    public static async Task<int> RunAsync(StackPaths paths, string[] args)
    {
        var options = CliArgs.Parse(args.Skip(1).ToArray());
        var stack = paths.Endpoints();
        return args.FirstOrDefault() switch
        {
            "produce" => await ProduceAsync(stack, options),
            "consume" => Consume(stack, options),
            "worker" => await ProbeWorker.RunAsync(stack, options),
            _ => throw new CliException("probe needs 'produce', 'consume' or 'worker'"),
        };
    }

    private static async Task<int> ProduceAsync(StackEndpoints stack, CliArgs args)
    {
        var count = args.Int("count", 10, min: 1);
        var topic = args.String("topic", TopicCatalog.EventsRaw);
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var producer = new ProducerBuilder<string, EventEnvelope>(new ProducerConfig { BootstrapServers = stack.KafkaBootstrap, EnableIdempotence = true })
            .SetValueSerializer(new AvroSerializer<EventEnvelope>(registry))
            .Build();
        var runId = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < count; i++)
        {
            var envelope = SampleEvent($"probe-{runId}-{i}", i);
            await producer.ProduceAsync(topic, new Message<string, EventEnvelope> { Key = envelope.entity_id, Value = envelope });
        }
        var schema = await registry.GetLatestSchemaAsync(topic + "-value");
        Console.WriteLine($"produced {count} EventEnvelope records to {topic} (subject {topic}-value, schema id {schema.Id}, run {runId})");
        return 0;
    }

    private static int Consume(StackEndpoints stack, CliArgs args)
    {
        var count = args.Int("count", 10, min: 1);
        var topic = args.String("topic", TopicCatalog.EventsRaw);
        var timeout = TimeSpan.FromSeconds(args.Int("timeout", 30, min: 1));
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var consumer = new ConsumerBuilder<string, EventEnvelope>(new ConsumerConfig
            {
                BootstrapServers = stack.KafkaBootstrap,
                GroupId = args.String("group", "mlops-probe-" + Guid.NewGuid().ToString("N")[..8]),
                AutoOffsetReset = AutoOffsetReset.Earliest,
            })
            .SetValueDeserializer(new AvroDeserializer<EventEnvelope>(registry).AsSyncOverAsync())
            .Build();
        consumer.Subscribe(topic);
        var read = 0;
        var deadline = DateTime.UtcNow + timeout;
        while (read < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result?.Message?.Value is { } envelope)
            {
                read++;
                Console.WriteLine($"{result.TopicPartitionOffset} key={result.Message.Key} event_id={envelope.event_id} event_type={envelope.event_type} event_time={envelope.event_time:O}");
            }
        }
        consumer.Close();
        Console.WriteLine($"consumed {read} of {count} EventEnvelope records from {topic}");
        return read == count ? 0 : 1;
    }

    private static EventEnvelope SampleEvent(string eventId, int i) => new()
    {
        event_id = eventId,
        tenant_id = "demo",
        entity_id = "AA" + (100 + i).ToString(CultureInfo.InvariantCulture),
        event_type = "flight_departure",
        event_time = DateTime.UtcNow,
        attributes = new Dictionary<string, object>
        {
            ["carrier"] = "AA",
            ["origin"] = "JFK",
            ["destination"] = "LAX",
            ["distance"] = 2475.0,
            ["dep_delay"] = (long)i,
        },
        producer = new ProducerMetadata { producer_id = "mlops-probe" },
    };
}
