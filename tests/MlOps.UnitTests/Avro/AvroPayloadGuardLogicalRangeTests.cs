using Avro.Generic;
using Avro.IO;
using MlOps.Common.Avro;
using Xunit;

namespace MlOps.UnitTests.Avro;

/// <summary>
/// Dates and times Apache.Avro cannot convert are rejected by the guard, naming the field, before the decoder throws
/// something that is not an AvroException for them.
/// </summary>
public sealed class AvroPayloadGuardLogicalRangeTests
{
    public static TheoryData<string, long, long> Ranges => new()
    {
        { """{"type":"long","logicalType":"timestamp-millis"}""", -62_135_596_800_000, 253_402_300_799_999 },
        { """{"type":"long","logicalType":"local-timestamp-millis"}""", -62_135_596_800_000, 253_402_300_799_999 },
        { """{"type":"long","logicalType":"timestamp-micros"}""", -62_135_596_800_000_000, 253_402_300_799_999_999 },
        { """{"type":"long","logicalType":"local-timestamp-micros"}""", -62_135_596_800_000_000, 253_402_300_799_999_999 },
        { """{"type":"int","logicalType":"date"}""", -719_162, 2_932_896 },
        { """{"type":"int","logicalType":"time-millis"}""", 0, 86_399_999 },
        { """{"type":"long","logicalType":"time-micros"}""", 0, 86_399_999_999 },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void The_guard_accepts_exactly_the_values_apache_avro_can_convert(string type, long min, long max)
    {
        var schema = AvroTestSchemas.Probe(("at", type));
        object Decode(byte[] body) => new GenericDatumReader<GenericRecord>(schema, schema)
            .Read(null!, new BinaryDecoder(new MemoryStream(body)))["at"];

        foreach (var inside in new[] { min, max })
        {
            var body = new AvroBytes().Long(inside).ToArray();
            var result = AvroPayloadGuard.Check(body, schema, AvroLimits.Default);
            Assert.True(result.IsValid, $"{inside}: {result.Reason}");
            Assert.NotNull(Decode(body));
        }
        foreach (var outside in new[] { min - 1, max + 1 })
        {
            var body = new AvroBytes().Long(outside).ToArray();
            var result = AvroPayloadGuard.Check(body, schema, AvroLimits.Default);
            Assert.False(result.IsValid, $"{outside} was accepted");
            Assert.StartsWith($"field 'at': ", result.Reason, StringComparison.Ordinal);
            Assert.Contains($" {outside} is outside {min}..{max} ", result.Reason, StringComparison.Ordinal);
            Assert.ThrowsAny<Exception>(() => Decode(body));
        }
    }

    [Fact]
    public void A_timestamp_past_year_9999_is_rejected_naming_the_field_the_value_and_the_range()
    {
        var schema = AvroTestSchemas.Probe(("event_id", "\"string\""), ("event_time", """{"type":"long","logicalType":"timestamp-millis"}"""));
        var body = new AvroBytes().String("evt-1").Long(253_402_300_800_000).ToArray();

        var result = AvroPayloadGuard.Check(body, schema, AvroLimits.Default);

        Assert.Equal(
            "field 'event_time': timestamp-millis 253402300800000 is outside -62135596800000..253402300799999 (years 1 to 9999, what a DateTime holds) at offset 6",
            result.Reason);
    }

    [Fact]
    public void A_date_in_a_nullable_union_inside_an_array_is_checked_too()
    {
        var schema = AvroTestSchemas.Probe(("days", """{"type":"array","items":["null",{"type":"int","logicalType":"date"}]}"""));
        var body = new AvroBytes().Long(2).Long(1).Long(0).Long(1).Long(-800_000).Long(0).ToArray();

        var result = AvroPayloadGuard.Check(body, schema, AvroLimits.Default);

        Assert.Equal("field 'days[1]': date -800000 is outside -719162..2932896 (years 1 to 9999, what a DateTime holds) at offset 4", result.Reason);
    }

    [Fact]
    public void A_time_of_day_with_an_int_that_does_not_fit_is_still_reported_as_an_int_overflow()
    {
        var schema = AvroTestSchemas.Probe(("at", """{"type":"int","logicalType":"time-millis"}"""));
        var body = new AvroBytes().Long(int.MaxValue + 1L).ToArray();

        var result = AvroPayloadGuard.Check(body, schema, AvroLimits.Default);

        Assert.Equal("field 'at': time-millis 2147483648 does not fit in an int at offset 0", result.Reason);
    }
}
