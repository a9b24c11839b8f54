using Avro;
using Avro.Generic;
using Avro.IO;
using MlOps.Common.Avro;
using Xunit;

namespace MlOps.UnitTests.Avro;

public sealed class AvroPayloadGuardValidPayloadTests
{
    private static readonly AvroLimits Limits = AvroLimits.Default;

    [Fact]
    public void Payload_written_by_apache_avro_for_every_type_passes()
    {
        var bytes = AllTypesRecordFactory.Encode(AvroTestSchemas.AllTypes, new AllTypesRecordFactory(1).Next());

        var result = AvroPayloadGuard.Check(bytes, AvroTestSchemas.AllTypes, Limits);

        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public void Random_records_pass_while_every_truncation_and_any_trailing_byte_is_rejected()
    {
        var factory = new AllTypesRecordFactory(20240601);
        var random = new Random(7);
        for (var n = 0; n < 500; n++)
        {
            var bytes = AllTypesRecordFactory.Encode(AvroTestSchemas.AllTypes, factory.Next());

            var whole = AvroPayloadGuard.Check(bytes, AvroTestSchemas.AllTypes, Limits);
            var cut = random.Next(0, bytes.Length);
            var truncated = AvroPayloadGuard.Check(bytes.AsSpan(0, cut), AvroTestSchemas.AllTypes, Limits);
            var padded = AvroPayloadGuard.Check([.. bytes, (byte)random.Next(256)], AvroTestSchemas.AllTypes, Limits);

            Assert.True(whole.IsValid, $"record {n}: {whole.Reason}");
            Assert.False(truncated.IsValid, $"record {n} cut to {cut} of {bytes.Length} bytes was accepted");
            Assert.False(padded.IsValid, $"record {n} with a trailing byte was accepted");
            Assert.Contains("trailing", padded.Reason);
        }
    }

    [Fact]
    public void Checking_a_valid_payload_allocates_nothing()
    {
        var bytes = AllTypesRecordFactory.Encode(AvroTestSchemas.AllTypes, new AllTypesRecordFactory(3).Next());
        AvroPayloadGuard.Check(bytes, AvroTestSchemas.AllTypes, Limits);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = AvroPayloadGuard.Check(bytes, AvroTestSchemas.AllTypes, Limits);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Negative_block_counts_with_byte_sizes_pass_and_apache_avro_reads_them_identically()
    {
        // Writers may emit -count followed by the block's byte size; Apache.Avro's writer never does.
        var schema = AvroTestSchemas.Probe(("values", """{"type":"array","items":"long"}"""));
        var block = new AvroBytes().Long(1).Long(300).ToArray();
        var bytes = new AvroBytes().Long(-2).Long(block.Length).Raw(block).Long(1).Long(5).Long(0).ToArray();

        var result = AvroPayloadGuard.Check(bytes, schema, Limits);
        var decoded = new GenericDatumReader<GenericRecord>(schema, schema)
            .Read(null!, new BinaryDecoder(new MemoryStream(bytes)));

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(new object[] { 1L, 300L, 5L }, (object[])decoded["values"]);
    }

    [Fact]
    public void Recursive_schema_within_the_depth_limit_passes()
    {
        var chain = new AvroBytes();
        for (var i = 0; i < 10; i++)
        {
            chain.Long(i).Long(1);
        }
        var bytes = chain.Long(10).Long(0).ToArray();

        var result = AvroPayloadGuard.Check(bytes, AvroTestSchemas.Node, Limits);

        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public void Non_record_top_level_schemas_are_walked_too()
    {
        var schema = Schema.Parse("""{"type":"map","values":{"type":"fixed","name":"Two","size":2}}""");
        var bytes = new AvroBytes().Long(1).String("k").Raw(1, 2).Long(0).ToArray();

        Assert.True(AvroPayloadGuard.Check(bytes, schema, Limits).IsValid);
    }
}
