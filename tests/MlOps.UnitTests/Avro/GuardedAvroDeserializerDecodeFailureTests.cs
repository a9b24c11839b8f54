using MlOps.Common.Avro;
using MlOps.Contracts;
using Xunit;

namespace MlOps.UnitTests.Avro;

/// <summary>
/// Well-formed bytes whose values Apache.Avro cannot convert are rejected payloads like any other undecodable input,
/// never an exception of Apache.Avro's or .NET's own that a consumer would take for a failure of its own.
/// </summary>
public sealed class GuardedAvroDeserializerDecodeFailureTests
{
    private const int EnvelopeId = 21;
    private const int ExplodingProbeId = 22;
    private const string Topic = "mlops.events.raw";
    private const long Year2026 = 1_767_225_600_000;
    private const long Year10000 = 253_402_300_800_000;

    private readonly FakeSchemaRegistryClient _registry = new FakeSchemaRegistryClient()
        .With(EnvelopeId, EventEnvelope._SCHEMA)
        .With(ExplodingProbeId, ExplodingProbe._SCHEMA);

    private GuardedAvroDeserializer<EventEnvelope> Envelopes() => new(_registry, AvroLimits.Default);

    [Fact]
    public async Task An_envelope_built_by_hand_decodes_so_the_rejections_below_are_about_the_time_alone()
    {
        var envelope = await Envelopes().DeserializeAsync(Envelope(EnvelopeId, Year2026), Topic, CancellationToken.None);

        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), envelope.event_time);
        Assert.Equal(100.0, envelope.attributes["distance"]);
    }

    [Theory]
    [InlineData(Year10000)]
    [InlineData(-62_135_596_800_001)]
    public async Task An_event_time_no_DateTime_can_hold_is_a_rejected_payload_naming_the_field(long millis)
    {
        var error = await Assert.ThrowsAsync<AvroPayloadRejectedException>(
            () => Envelopes().DeserializeAsync(Envelope(EnvelopeId, millis), Topic, CancellationToken.None).AsTask());

        Assert.StartsWith($"field 'event_time': timestamp-millis {millis} is outside ", error.Reason, StringComparison.Ordinal);
        Assert.Equal(AvroRejection.Malformed, error.Kind);
        Assert.Equal(EnvelopeId, error.SchemaId);
    }

    [Fact]
    public async Task Any_other_exception_a_conversion_throws_is_a_rejected_payload_too()
    {
        // The guard knows the ranges of Apache.Avro's own date and time types; a conversion it does not know (here one
        // an application registered) can still throw anything, and that is still about the bytes.
        var message = new AvroBytes().Long(7).WithHeader(ExplodingProbeId);

        var error = await Assert.ThrowsAsync<AvroPayloadRejectedException>(
            () => new GuardedAvroDeserializer<ExplodingProbe>(_registry, AvroLimits.Default).DeserializeAsync(message, Topic, CancellationToken.None).AsTask());

        Assert.Equal("decoder rejected the payload: OverflowException: 7 does not fit", error.Reason);
        Assert.IsType<OverflowException>(error.InnerException);
        Assert.Equal(ExplodingProbeId, error.SchemaId);
    }

    /// <summary>An EventEnvelope as Avro writes it: one double attribute, a producer id and no optional fields.</summary>
    private static byte[] Envelope(int schemaId, long eventTimeMillis) => new AvroBytes()
        .String("evt-1").String("airline-a").String("AA100").String("flight_departure")
        .Long(eventTimeMillis)
        .Long(1).String("distance").Long(3).Raw(BitConverter.GetBytes(100.0)).Long(0) // map of one: union branch 3 = double
        .String("gate-app").Long(0).Long(0).Long(0)                                    // producer: id, then three nulls
        .Long(0).Long(0).Long(0)                                                       // contract_version, spec_version, ingested_at
        .WithHeader(schemaId);
}
