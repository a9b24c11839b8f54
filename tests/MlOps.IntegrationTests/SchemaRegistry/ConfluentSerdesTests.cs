using System.Buffers.Binary;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Xunit;
using static MlOps.IntegrationTests.SchemaRegistry.RegistrySchemas;
using ConfluentSchema = Confluent.SchemaRegistry.Schema;

namespace MlOps.IntegrationTests.SchemaRegistry;

/// <summary>Proves the embedded registry works with Confluent's own client and Avro serdes, not just with curl.</summary>
public sealed class ConfluentSerdesTests(SchemaRegistryServerFixture fixture)
    : IClassFixture<SchemaRegistryServerFixture>, IDisposable
{
    private readonly CachedSchemaRegistryClient client = new(new SchemaRegistryConfig { Url = fixture.Server.Url.ToString() });

    public void Dispose() => client.Dispose();

    [Fact]
    public async Task AutoRegisteringSerializerOutputRoundTripsThroughTheDeserializer()
    {
        var topic = SchemaRegistryServerFixture.UniqueTopic();
        var record = Person(PersonV2WithDefault, "ada", age: 36);

        var bytes = await new AvroSerializer<GenericRecord>(client).SerializeAsync(record, Context(topic));
        var decoded = await new AvroDeserializer<GenericRecord>(client).DeserializeAsync(bytes, isNull: false, Context(topic));

        Assert.Equal("ada", decoded["name"]);
        Assert.Equal(36, decoded["age"]);
        var registered = await client.GetLatestSchemaAsync($"{topic}-value");
        Assert.Equal(registered.Id, SchemaIdOf(bytes));
        Assert.Equal(1, registered.Version);
    }

    [Fact]
    public async Task SerializerWithAutoRegisterOffFindsThePreRegisteredIdByLookup()
    {
        var topic = SchemaRegistryServerFixture.UniqueTopic();
        var id = await client.RegisterSchemaAsync($"{topic}-value", new ConfluentSchema(PersonV1, SchemaType.Avro));
        var serializer = new AvroSerializer<GenericRecord>(client, new AvroSerializerConfig { AutoRegisterSchemas = false });

        var bytes = await serializer.SerializeAsync(Person(PersonV1, "grace"), Context(topic));

        Assert.Equal(id, SchemaIdOf(bytes));
    }

    [Fact]
    public async Task SerializerWithAutoRegisterOffFailsForAnUnregisteredSchema()
    {
        var topic = SchemaRegistryServerFixture.UniqueTopic();
        await client.RegisterSchemaAsync($"{topic}-value", new ConfluentSchema(PersonV1, SchemaType.Avro));
        var serializer = new AvroSerializer<GenericRecord>(client, new AvroSerializerConfig { AutoRegisterSchemas = false });

        var error = await Assert.ThrowsAnyAsync<Exception>(
            () => serializer.SerializeAsync(Person(PersonV2WithDefault, "grace", age: 1), Context(topic)));

        var registryError = Assert.IsType<SchemaRegistryException>(error.InnerException ?? error);
        Assert.Equal(40403, registryError.ErrorCode);
    }

    [Fact]
    public async Task SerializerWithUseLatestVersionWritesTheLatestVersionsId()
    {
        var topic = SchemaRegistryServerFixture.UniqueTopic();
        var subject = $"{topic}-value";
        await client.RegisterSchemaAsync(subject, new ConfluentSchema(PersonV1, SchemaType.Avro));
        var latestId = await client.RegisterSchemaAsync(subject, new ConfluentSchema(PersonV2WithDefault, SchemaType.Avro));
        var serializer = new AvroSerializer<GenericRecord>(
            client, new AvroSerializerConfig { AutoRegisterSchemas = false, UseLatestVersion = true });

        var bytes = await serializer.SerializeAsync(Person(PersonV2WithDefault, "linus", age: 2), Context(topic));
        var decoded = await new AvroDeserializer<GenericRecord>(client).DeserializeAsync(bytes, isNull: false, Context(topic));

        Assert.Equal(latestId, SchemaIdOf(bytes));
        Assert.Equal(2, decoded["age"]);
    }

    [Fact]
    public async Task ClientSeesIncompatibleRegistrationAs409AndCompatibilityCheckAsFalse()
    {
        var subject = $"{SchemaRegistryServerFixture.UniqueTopic()}-value";
        await client.RegisterSchemaAsync(subject, new ConfluentSchema(PersonV1, SchemaType.Avro));
        var incompatible = new ConfluentSchema(PersonV2Incompatible, SchemaType.Avro);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(subject, incompatible));

        Assert.Equal(409, error.ErrorCode);
        Assert.Contains("'age'", error.Message, StringComparison.Ordinal);
        Assert.False(await client.IsCompatibleAsync(subject, incompatible));
        Assert.True(await client.IsCompatibleAsync(subject, new ConfluentSchema(PersonV2WithDefault, SchemaType.Avro)));
    }

    [Fact]
    public async Task ClientLookupAndGetByIdReturnTheRegisteredSchema()
    {
        var subject = $"{SchemaRegistryServerFixture.UniqueTopic()}-value";
        var id = await client.RegisterSchemaAsync(subject, new ConfluentSchema(PersonV1, SchemaType.Avro));

        var found = await client.LookupSchemaAsync(subject, new ConfluentSchema(PersonV1, SchemaType.Avro), ignoreDeletedSchemas: true);
        var byId = await client.GetSchemaAsync(id);

        Assert.Equal((id, 1, subject), (found.Id, found.Version, found.Subject));
        Assert.Equal(SchemaType.Avro, byId.SchemaType);
        Assert.Equal(Avro.Schema.Parse(PersonV1), Avro.Schema.Parse(byId.SchemaString));
    }

    [Fact]
    public async Task ClientCompatibilityConfigRoundTripsPerSubject()
    {
        var subject = $"{SchemaRegistryServerFixture.UniqueTopic()}-value";

        var updated = await client.UpdateCompatibilityAsync(Compatibility.FullTransitive, subject);

        Assert.Equal(Compatibility.FullTransitive, updated);
        Assert.Equal(Compatibility.FullTransitive, await client.GetCompatibilityAsync(subject));
        Assert.Equal(Compatibility.Backward, await client.GetCompatibilityAsync());
    }

    private static GenericRecord Person(string schemaJson, string name, int? age = null)
    {
        var record = new GenericRecord((RecordSchema)Avro.Schema.Parse(schemaJson));
        record.Add("name", name);
        if (age is not null)
        {
            record.Add("age", age.Value);
        }

        return record;
    }

    [Fact]
    public async Task AvroPublisherWritesTheBytesConfluentsSerializerWrites()
    {
        var topic = SchemaRegistryServerFixture.UniqueTopic();
        using var producer = new MlOps.Common.Kafka.KafkaProducer(
            Microsoft.Extensions.Options.Options.Create(new MlOps.Common.Kafka.KafkaOptions { BootstrapServers = "127.0.0.1:9" }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MlOps.Common.Kafka.KafkaProducer>.Instance);
        var publisher = new MlOps.Common.Kafka.AvroPublisher(producer, client);
        var confluent = new AvroSerializer<MlOps.Contracts.EventEnvelope>(client);
        var quarantined = new AvroSerializer<MlOps.Contracts.QuarantinedEvent>(client);

        // The first record of a type goes through Confluent's serializer (registration); later ones through the
        // publisher's cached writer: every one must match Confluent's bytes.
        for (var i = 0; i < 3; i++)
        {
            var envelope = new MlOps.Contracts.EventEnvelope
            {
                event_id = $"e-{i}", tenant_id = "t", entity_id = "AA1", event_type = "flight_departure",
                event_time = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddSeconds(i),
                attributes = new Dictionary<string, object> { ["origin"] = "JFK", ["distance"] = 300.5 + i, ["dep_hour"] = (long)i, ["flag"] = i % 2 == 0 },
                producer = new MlOps.Contracts.ProducerMetadata { producer_id = "p", sent_at = i == 1 ? null : DateTime.UnixEpoch.AddDays(i) },
                contract_version = i == 2 ? "v3" : null,
            };
            var record = new MlOps.Contracts.QuarantinedEvent
            {
                raw_value = [0, 1, 2, (byte)i], source = "kafka", source_topic = topic, source_partition = i, source_offset = 10L * i,
                reasons = [new MlOps.Contracts.Violation { rule = "required", attribute = "destination", message = "missing" }],
                quarantined_at = DateTime.UnixEpoch.AddHours(i),
            };

            Assert.Equal(await confluent.SerializeAsync(envelope, Context(topic)), await publisher.SerializeAsync(topic, envelope));
            Assert.Equal(await quarantined.SerializeAsync(record, Context(topic + ".q")), await publisher.SerializeAsync(topic + ".q", record));
        }
    }

    private static SerializationContext Context(string topic) => new(MessageComponentType.Value, topic);

    // Confluent wire format: magic byte 0, then the schema id as a big-endian int32.
    private static int SchemaIdOf(byte[] bytes)
    {
        Assert.Equal(0, bytes[0]);
        return BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4));
    }
}
