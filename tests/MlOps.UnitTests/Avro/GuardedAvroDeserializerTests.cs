using System.Net;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using MlOps.Common.Avro;
using Xunit;

namespace MlOps.UnitTests.Avro;

public sealed class GuardedAvroDeserializerTests
{
    private const int AllTypesId = 7;
    private const int ProbeEventId = 8;
    private const string Topic = "probe";

    private readonly FakeSchemaRegistryClient _registry = new FakeSchemaRegistryClient()
        .With(AllTypesId, AvroTestSchemas.AllTypes)
        .With(ProbeEventId, ProbeEvent._SCHEMA);

    private static Task<T> ThroughKafkaPipeline<T>(IAsyncDeserializer<T> deserializer, byte[] message, bool isNull) =>
        deserializer.DeserializeAsync(message, isNull, new SerializationContext(MessageComponentType.Value, Topic));

    private GuardedAvroDeserializer<GenericRecord> Generic(AvroLimits? limits = null) => new(_registry, limits ?? AvroLimits.Default);

    [Fact]
    public async Task Valid_generic_record_is_delegated_and_decoded()
    {
        var record = new AllTypesRecordFactory(5).Next();
        var message = new AvroBytes().Raw(AllTypesRecordFactory.Encode(AvroTestSchemas.AllTypes, record)).WithHeader(AllTypesId);

        var decoded = await Generic().DeserializeAsync(message, Topic, CancellationToken.None);

        Assert.Equal(record["event_id"], decoded["event_id"]);
        Assert.Equal(record["big"], decoded["big"]);
    }

    [Fact]
    public async Task Valid_specific_record_is_decoded_into_its_type_through_the_kafka_pipeline_interface()
    {
        var message = new AvroBytes().String("evt-1").Long(-42).WithHeader(ProbeEventId);

        var decoded = await ThroughKafkaPipeline(new GuardedAvroDeserializer<ProbeEvent>(_registry, AvroLimits.Default), message, isNull: false);

        Assert.Equal("evt-1", decoded.event_id);
        Assert.Equal(-42, decoded.amount);
    }

    [Fact]
    public async Task Writer_schema_is_fetched_once_per_schema_id()
    {
        var deserializer = new GuardedAvroDeserializer<ProbeEvent>(_registry, AvroLimits.Default);
        var bomb = new AvroBytes().Long(1_000_000).WithHeader(ProbeEventId);

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<AvroPayloadRejectedException>(() => deserializer.DeserializeAsync(bomb, Topic, CancellationToken.None).AsTask());
        }

        Assert.Equal(1, _registry.GetSchemaCalls);
    }

    [Theory]
    [InlineData(new byte[0], "payload is null or empty")]
    [InlineData(new byte[] { 1, 0, 0, 0, 7, 0 }, "magic byte is 1, expected 0")]
    [InlineData(new byte[] { 0, 0, 7 }, "payload of 3 bytes is shorter than the 5-byte Confluent header")]
    [InlineData(new byte[] { 0, 0x80, 0, 0, 0, 0 }, "schema id -2147483648 is negative")]
    public async Task Malformed_headers_are_rejected_without_asking_the_registry(byte[] message, string reason)
    {
        var error = await Assert.ThrowsAsync<AvroPayloadRejectedException>(
            () => Generic().DeserializeAsync(message, Topic, CancellationToken.None).AsTask());

        Assert.Equal(reason, error.Reason);
        Assert.Equal(0, _registry.GetSchemaCalls);
    }

    [Fact]
    public async Task Null_kafka_value_is_rejected()
    {
        var error = await Assert.ThrowsAsync<AvroPayloadRejectedException>(
            () => ThroughKafkaPipeline(Generic(), [], isNull: true));

        Assert.Equal("payload is null or empty", error.Reason);
    }

    [Fact]
    public async Task Oversized_message_is_rejected_before_the_schema_lookup()
    {
        var message = new AvroBytes().Raw(new byte[65]).WithHeader(AllTypesId);

        var error = await Assert.ThrowsAsync<AvroPayloadRejectedException>(
            () => Generic(AvroLimits.Default with { MaxPayloadBytes = 64 }).DeserializeAsync(message, Topic, CancellationToken.None).AsTask());

        Assert.Equal("payload of 70 bytes exceeds 5 header bytes + MaxPayloadBytes 64", error.Reason);
        Assert.Equal(0, _registry.GetSchemaCalls);
    }

    [Fact]
    public async Task Unknown_schema_id_is_a_rejection_with_the_id()
    {
        var message = new AvroBytes().Long(0).WithHeader(404_404);

        var error = await Assert.ThrowsAsync<AvroPayloadRejectedException>(
            () => Generic().DeserializeAsync(message, Topic, CancellationToken.None).AsTask());

        Assert.Equal("unknown schema id 404404", error.Reason);
        Assert.Equal(404_404, error.SchemaId);
    }

    [Fact]
    public async Task Registry_outage_is_not_a_rejection_because_the_message_may_be_fine()
    {
        _registry.FailWith = HttpStatusCode.ServiceUnavailable;
        var message = new AvroBytes().String("evt").Long(1).WithHeader(ProbeEventId);

        await Assert.ThrowsAsync<SchemaRegistryException>(
            () => Generic().DeserializeAsync(message, Topic, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Guard_failure_carries_the_reason_and_schema_id()
    {
        var message = new AvroBytes().String("evt").Long(1).Raw(9).WithHeader(ProbeEventId);

        var error = await Assert.ThrowsAsync<AvroPayloadRejectedException>(
            () => Generic().DeserializeAsync(message, Topic, CancellationToken.None).AsTask());

        Assert.Equal("record 'mlops.test.ProbeEvent': 1 trailing bytes after the message ended at offset 5", error.Reason);
        Assert.Equal(ProbeEventId, error.SchemaId);
    }

    [Fact]
    public async Task Writer_schemas_with_references_are_resolved_and_guarded()
    {
        const string money = """{"type":"record","name":"Money","namespace":"mlops.test","fields":[{"name":"currency","type":"string"}]}""";
        const string payment = """{"type":"record","name":"Payment","namespace":"mlops.test","fields":[{"name":"price","type":"mlops.test.Money"}]}""";
        _registry.WithVersion("money-value", 1, 30, money)
            .With(31, payment, new SchemaReference("mlops.test.Money", "money-value", 1));
        var valid = new AvroBytes().String("EUR").WithHeader(31);
        var bomb = new AvroBytes().Long(500_000_000).WithHeader(31);

        var decoded = await Generic().DeserializeAsync(valid, Topic, CancellationToken.None);
        var error = await Assert.ThrowsAsync<AvroPayloadRejectedException>(
            () => Generic().DeserializeAsync(bomb, Topic, CancellationToken.None).AsTask());

        Assert.Equal("EUR", ((GenericRecord)decoded["price"])["currency"]);
        Assert.Equal("field 'price.currency': string length 500000000 exceeds the 0 bytes remaining at offset 5", error.Reason);
    }

    [Fact]
    public async Task Well_formed_payload_whose_writer_schema_the_reader_cannot_resolve_is_a_rejection()
    {
        var record = new AllTypesRecordFactory(9).Next();
        var message = new AvroBytes().Raw(AllTypesRecordFactory.Encode(AvroTestSchemas.AllTypes, record)).WithHeader(AllTypesId);
        var deserializer = new GuardedAvroDeserializer<ProbeEvent>(_registry, AvroLimits.Default);

        var error = await Assert.ThrowsAsync<AvroPayloadRejectedException>(
            () => deserializer.DeserializeAsync(message, Topic, CancellationToken.None).AsTask());

        Assert.StartsWith("decoder rejected the payload: ", error.Reason);
        Assert.Equal(AllTypesId, error.SchemaId);
    }
    [Fact]
    public async Task Specific_records_decode_as_confluents_deserializer_decodes_them_including_schema_resolution()
    {
        // A newer writer: a field the reader does not know, placed first, so resolution has to skip it.
        const string writer = """
            {"type":"record","name":"ProbeEvent","namespace":"mlops.test","fields":[
              {"name":"note","type":"string","default":""},
              {"name":"event_id","type":"string"},
              {"name":"amount","type":"long"}]}
            """;
        _registry.With(40, writer);
        var messages = new[]
        {
            new AvroBytes().String("evt-7").Long(7).WithHeader(ProbeEventId),
            new AvroBytes().String("skipped").String("evt-8").Long(-8).WithHeader(40),
        };
        var confluent = new Confluent.SchemaRegistry.Serdes.AvroDeserializer<ProbeEvent>(
            _registry, new Confluent.SchemaRegistry.Serdes.AvroDeserializerConfig { SubjectNameStrategy = SubjectNameStrategy.Topic });
        var guarded = new GuardedAvroDeserializer<ProbeEvent>(_registry, AvroLimits.Default);

        foreach (var message in messages)
        {
            var expected = await ThroughKafkaPipeline(confluent, message, isNull: false);
            var actual = await guarded.DeserializeAsync(message, Topic, CancellationToken.None);
            Assert.Equal((expected.event_id, expected.amount), (actual.event_id, actual.amount));
        }
    }
}
