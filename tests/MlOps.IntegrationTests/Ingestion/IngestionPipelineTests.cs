using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Common.Kafka;
using MlOps.Contracts;
using MlOps.Stack;
using MlOps.Ingestion;
using MlOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.Ingestion;

/// <summary>
/// A mixed stream through both ways in, on the embedded stack: every input ends validated, quarantined with the
/// right reason, or counted as a duplicate — and the three add up to the inputs.
/// </summary>
[Collection(StackCollection.Name)]
public sealed partial class IngestionPipelineTests(StackFixture stack, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Every_input_is_validated_quarantined_with_its_reason_or_counted_as_a_duplicate()
    {
        await using var service = await InProcessService.StartAsync(stack.Endpoints, b => b.BuildIngestionApp(), new Dictionary<string, string?>
        {
            ["Ingestion:SpecPath"] = TestSpec.WriteTemp(),
            ["Ingestion:GroupId"] = StackFixture.NewGroupId("ingestion"),
            ["Ingestion:MaxHttpBodyBytes"] = "4096",
        });
        var duplicatesBefore = DuplicateCount();
        var kafkaBefore = KafkaInputCount();
        var now = DateTime.UtcNow;

        // Kafka: 13 inputs.
        using var registry = stack.NewRegistryClient();
        var serializer = new AvroSerializer<EventEnvelope>(registry).AsSyncOverAsync();
        byte[] Avro(EventEnvelope e) => serializer.Serialize(e, new SerializationContext(MessageComponentType.Value, TopicCatalog.EventsRaw));
        var valid1 = Departure("k-valid-1", now);
        var schemaId = Avro(valid1).AsSpan(1, 4).ToArray();
        var kafkaInputs = new (string Name, byte[] Value)[]
        {
            ("valid-1", Avro(valid1)),
            ("valid-2", Avro(Departure("k-valid-2", now))),
            ("valid-3", Avro(Departure("k-valid-3", now))),
            ("duplicate", Avro(valid1)),
            ("malformed", [0, .. schemaId, 0x02, 0x61]),
            ("bomb", [0, .. schemaId, 0xFE, 0xA7, 0xD6, 0xB9, 0x07]),
            ("year-10000", WithEventTimeMillis(Avro(Departure("k-y10k", now)), YearTenThousandMillis)),
            ("unknown-schema", [0, 0x00, 0x0F, 0x42, 0x3F, 0x02, 0x61]),
            ("unknown-type", Avro(Departure("k-type", now, type: "teleport"))),
            ("out-of-bounds", Avro(Departure("k-oob", now, distance: 7000))),
            ("missing-required", Avro(Departure("k-missing", now, withoutOrigin: true))),
            ("far-future", Avro(Departure("k-future", now.AddDays(1)))),
            ("too-old", Avro(Departure("k-old", now.AddDays(-60)))),
        };
        var positions = new Dictionary<(int, long), string>();
        using (var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap }).Build())
        {
            foreach (var (name, value) in kafkaInputs)
            {
                var delivered = await producer.ProduceAsync(TopicCatalog.EventsRaw, new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(name), Value = value });
                positions[(delivered.Partition.Value, delivered.Offset.Value)] = name;
            }
        }

        // The HTTP batch repeats k-valid-2: let the consumer see every Kafka input first, so the repeat is the duplicate.
        await Eventually.MatchAsync(_ => Task.FromResult(KafkaInputCount() - kafkaBefore), n => n >= kafkaInputs.Length, Timeout,
            $"the consumer counted all {kafkaInputs.Length} Kafka inputs");

        // HTTP: 4 accepted inputs, then a malformed and an oversize request that are refused whole.
        var batch = new[]
        {
            Json(Departure("h-valid-1", now)),
            Json(Departure("h-oob", now, distance: -5)),
            Json(Departure("k-valid-2", now)),
            Json(Departure("h-type", now, type: "teleport")),
        };
        using var accepted = await service.Client.PostAsync(EventsEndpointPath, JsonBody($"[{string.Join(",", batch)}]"));
        var body = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement;
        output.WriteLine(body.ToString());
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(["validated", "quarantined", "duplicate", "quarantined"],
            body.GetProperty("outcomes").EnumerateArray().Select(o => o.GetProperty("outcome").GetString()));

        using var malformed = await service.Client.PostAsync(EventsEndpointPath, JsonBody("""[{"event_id": 1}]"""));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/0/event_id", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var oversize = await service.Client.PostAsync(EventsEndpointPath, JsonBody(new string(' ', 5000) + "[]"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversize.StatusCode);

        // Outputs: 3 + 1 validated, 9 + 2 quarantined, 1 + 1 duplicates = 17 inputs.
        var validated = ReadMine<EventEnvelope>(TopicCatalog.EventsValidated, 4, e => e.Message.Value.event_id.EndsWith(_run, StringComparison.Ordinal));
        var quarantined = ReadMine<QuarantinedEvent>(TopicCatalog.EventsQuarantine, 11, q => IsMine(q.Message.Value, positions));
        var duplicates = DuplicateCount() - duplicatesBefore;

        Assert.Equal(["h-valid-1", "k-valid-1", "k-valid-2", "k-valid-3"], validated.Select(v => Name(v.Message.Value.event_id)).Order(StringComparer.Ordinal));
        Assert.Equal(2, duplicates);
        Assert.Equal(kafkaInputs.Length + batch.Length, validated.Count + quarantined.Count + duplicates);
        AssertValidatedRecord(validated.Single(v => Name(v.Message.Value.event_id) == "k-valid-1"), now);

        var reasons = quarantined.ToDictionary(
            q => q.Message.Value.source == "http" ? "http:" + Name(q.Message.Value.event_id!) : positions[(q.Message.Value.source_partition!.Value, q.Message.Value.source_offset!.Value)],
            q => q.Message.Value.reasons.Select(r => r.rule).ToList());
        output.WriteLine(string.Join(Environment.NewLine, reasons.Select(r => $"{r.Key}: {string.Join(",", r.Value)}")));
        Assert.Equal(["undecodable"], reasons["malformed"]);
        Assert.Equal(["undecodable"], reasons["bomb"]);
        Assert.Equal(["undecodable"], reasons["year-10000"]);
        Assert.Equal(["unknown_schema_id"], reasons["unknown-schema"]);
        Assert.Equal(["unknown_event_type"], reasons["unknown-type"]);
        Assert.Equal(["max"], reasons["out-of-bounds"]);
        Assert.Equal(["required"], reasons["missing-required"]);
        Assert.Equal(["clock_skew"], reasons["far-future"]);
        Assert.Equal(["max_age"], reasons["too-old"]);
        Assert.Equal(["min"], reasons["http:h-oob"]);
        Assert.Equal(["unknown_event_type"], reasons["http:h-type"]);
        var bomb = quarantined.Single(q => q.Message.Value.source_offset is { } o && positions[(q.Message.Value.source_partition!.Value, o)] == "bomb").Message.Value;
        Assert.Equal(kafkaInputs.Single(k => k.Name == "bomb").Value, bomb.raw_value);
        Assert.Contains("string length 999999999 exceeds", bomb.reasons[0].message, StringComparison.Ordinal);
        var future = quarantined.Single(q => q.Message.Value.source_offset is { } o && positions[(q.Message.Value.source_partition!.Value, o)] == "year-10000").Message.Value;
        Assert.Equal(kafkaInputs.Single(k => k.Name == "year-10000").Value, future.raw_value);
        Assert.StartsWith($"field 'event_time': timestamp-millis {YearTenThousandMillis} is outside", future.reasons[0].message, StringComparison.Ordinal);
    }

    /// <summary>The first millisecond of year 10000: one past the last a DateTime holds.</summary>
    private const long YearTenThousandMillis = 253_402_300_800_000;

    /// <summary>
    /// The encoded departure with its event_time replaced: no serializer writes a timestamp-millis a DateTime cannot
    /// hold, but a producer in another language can. event_time follows the envelope's four leading strings.
    /// </summary>
    private static byte[] WithEventTimeMillis(byte[] avro, long millis)
    {
        var offset = 5;
        for (var field = 0; field < 4; field++)
        {
            var length = ReadVarint(avro, ref offset);
            offset += (int)length;
        }
        var timeStart = offset;
        ReadVarint(avro, ref offset);
        using var replacement = new MemoryStream();
        new global::Avro.IO.BinaryEncoder(replacement).WriteLong(millis);
        return [.. avro[..timeStart], .. replacement.ToArray(), .. avro[offset..]];
    }

    private static long ReadVarint(byte[] bytes, ref int offset)
    {
        ulong raw = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[offset++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (long)(raw >> 1) ^ -(long)(raw & 1);
            }
        }
    }

    private const string EventsEndpointPath = "/v1/events";

    private static void AssertValidatedRecord(ConsumeResult<string, EventEnvelope> record, DateTime now)
    {
        Assert.Equal(record.Message.Value.entity_id, record.Message.Key);
        Assert.Equal("7", record.Message.Value.contract_version);
        Assert.StartsWith("it-flights@1+", record.Message.Value.spec_version, StringComparison.Ordinal);
        Assert.Equal(now.AddMinutes(-1).Ticks / TimeSpan.TicksPerMillisecond, record.Message.Value.event_time.Ticks / TimeSpan.TicksPerMillisecond);
        Assert.Equal(TopicCatalog.EventsRaw, LineageHeaders.Get(record.Message.Headers, LineageHeaders.SourceTopic));
        Assert.NotNull(LineageHeaders.Get(record.Message.Headers, LineageHeaders.SourceOffset));
        Assert.StartsWith("it-flights@1+", LineageHeaders.Get(record.Message.Headers, LineageHeaders.SpecVersion), StringComparison.Ordinal);
        Assert.NotNull(LineageHeaders.Get(record.Message.Headers, LineageHeaders.TraceParent));
    }

    private bool IsMine(QuarantinedEvent q, Dictionary<(int, long), string> positions) => q.source == "http"
        ? q.event_id is { } id && id.EndsWith(_run, StringComparison.Ordinal) && Encoding.UTF8.GetString(q.raw_value).Contains(id, StringComparison.Ordinal)
        : q.source_partition is { } p && q.source_offset is { } o && positions.ContainsKey((p, o));

    private List<ConsumeResult<string, T>> ReadMine<T>(string topic, int expected, Func<ConsumeResult<string, T>, bool> mine)
    {
        using var registry = stack.NewRegistryClient();
        using var consumer = new ConsumerBuilder<string, T>(new ConsumerConfig
            {
                BootstrapServers = stack.Endpoints.KafkaBootstrap,
                GroupId = StackFixture.NewGroupId("reader"),
                AutoOffsetReset = AutoOffsetReset.Earliest,
            })
            .SetValueDeserializer(new AvroDeserializer<T>(registry).AsSyncOverAsync())
            .Build();
        consumer.Subscribe(topic);
        var found = new List<ConsumeResult<string, T>>();
        var deadline = DateTime.UtcNow + Timeout;
        while (found.Count < expected && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result && mine(result))
            {
                found.Add(result);
            }
        }
        // Anything past the expected count would be a double output: look a little longer for it.
        var extra = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (DateTime.UtcNow < extra)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result && mine(result))
            {
                found.Add(result);
            }
        }
        consumer.Close();
        return found;
    }

    /// <summary>An event id without this run's suffix.</summary>
    private string Name(string eventId) => eventId[..^(_run.Length + 1)];

    private static double KafkaInputCount() => IngestionMetrics.Events.GetAllLabelValues()
        .Where(labels => labels[0] == "kafka")
        .Sum(labels => IngestionMetrics.Events.WithLabels(labels).Value);

    private static double DuplicateCount() =>
        IngestionMetrics.Events.WithLabels("kafka", "flight_departure", "duplicate").Value
        + IngestionMetrics.Events.WithLabels("http", "flight_departure", "duplicate").Value;

    private EventEnvelope Departure(string id, DateTime now, string type = "flight_departure", double distance = 2475, bool withoutOrigin = false)
    {
        var attributes = new Dictionary<string, object>
        {
            ["destination"] = "LAX",
            ["distance"] = distance,
            ["dep_hour"] = 17L,
        };
        if (!withoutOrigin)
        {
            attributes["origin"] = "JFK";
        }
        return new EventEnvelope
        {
            event_id = $"{id}-{_run}",
            tenant_id = "airline-a",
            entity_id = "AA" + id.Length,
            event_type = type,
            event_time = now.AddMinutes(-1),
            attributes = attributes,
            producer = new ProducerMetadata { producer_id = "it-" + _run },
        };
    }

    private static string Json(EventEnvelope e) => JsonSerializer.Serialize(new
    {
        e.event_id,
        e.tenant_id,
        e.entity_id,
        e.event_type,
        event_time = e.event_time.ToString("O"),
        e.attributes,
        producer = new { e.producer.producer_id },
    });

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");
}
