using MlOps.Common.Avro;
using Xunit;

namespace MlOps.UnitTests.Avro;

public sealed class AvroPayloadGuardRejectionTests
{
    private static readonly AvroLimits Limits = AvroLimits.Default;

    private static string Rejected(byte[] body, global::Avro.Schema schema, AvroLimits? limits = null)
    {
        var result = AvroPayloadGuard.Check(body, schema, limits ?? Limits);
        Assert.False(result.IsValid, "payload was accepted");
        return result.Reason;
    }

    [Fact]
    public void String_length_bomb_is_rejected_naming_the_field_the_length_and_the_bytes_left()
    {
        var schema = AvroTestSchemas.Probe(("event_id", "\"string\""));
        var body = new AvroBytes().Long(1_000_000_000).Raw("abc"u8.ToArray()).ToArray();

        Assert.Equal("field 'event_id': string length 1000000000 exceeds the 3 bytes remaining at offset 5", Rejected(body, schema));
    }

    [Fact]
    public void Bytes_length_bomb_is_rejected()
    {
        var schema = AvroTestSchemas.Probe(("id", "\"int\""), ("blob", "\"bytes\""));
        var body = new AvroBytes().Long(4).Long(int.MaxValue).ToArray();

        Assert.Equal("field 'blob': bytes length 2147483647 exceeds the 0 bytes remaining at offset 6", Rejected(body, schema));
    }

    [Theory]
    [InlineData("\"string\"", "string")]
    [InlineData("\"bytes\"", "bytes")]
    public void Negative_lengths_are_rejected(string type, string kind)
    {
        var schema = AvroTestSchemas.Probe(("payload", type));
        var body = new AvroBytes().Long(-1).Raw(1, 2, 3).ToArray();

        Assert.Equal($"field 'payload': {kind} length -1 is negative at offset 1", Rejected(body, schema));
    }

    [Fact]
    public void Array_count_bomb_of_zero_byte_items_is_stopped_by_the_item_cap()
    {
        var schema = AvroTestSchemas.Probe(("markers", """{"type":"array","items":"null"}"""));
        var body = new AvroBytes().Long(1_000_000_000).Long(0).ToArray();

        var reason = Rejected(body, schema);

        Assert.StartsWith("field 'markers': array block count 1000000000 brings the message past MaxCollectionItems 100000", reason);
    }

    [Fact]
    public void Array_count_larger_than_the_items_present_is_rejected_at_the_first_missing_item()
    {
        var schema = AvroTestSchemas.Probe(("scores", """{"type":"array","items":"int"}"""));
        var body = new AvroBytes().Long(50_000).Long(1).Long(2).ToArray();

        Assert.Equal("field 'scores[2]': int varint is truncated at offset 5", Rejected(body, schema));
    }

    [Fact]
    public void Map_entries_count_against_the_item_cap_across_blocks()
    {
        var schema = AvroTestSchemas.Probe(("labels", """{"type":"map","values":"null"}"""));
        var body = new AvroBytes().Long(2).String("a").String("b").Long(2).String("c").String("d").Long(0).ToArray();

        var reason = Rejected(body, schema, Limits with { MaxCollectionItems = 3 });

        Assert.StartsWith("field 'labels': map block count 2 brings the message past MaxCollectionItems 3", reason);
    }

    [Fact]
    public void Negative_block_count_whose_byte_size_exceeds_the_payload_is_rejected()
    {
        var schema = AvroTestSchemas.Probe(("values", """{"type":"array","items":"long"}"""));
        var body = new AvroBytes().Long(-1).Long(900_000).Long(7).Long(0).ToArray();

        Assert.Equal("field 'values': array block size 900000 is outside the 2 bytes remaining at offset 4", Rejected(body, schema));
    }

    [Theory]
    [InlineData(2, "union branch index 2 is outside 0..1 at offset 0")]
    [InlineData(-1, "union branch index -1 is outside 0..1 at offset 0")]
    public void Union_index_out_of_range_is_rejected(long branch, string expected)
    {
        var schema = AvroTestSchemas.Probe(("note", """["null","string"]"""));
        var body = new AvroBytes().Long(branch).String("x").ToArray();

        Assert.Equal($"field 'note': {expected}", Rejected(body, schema));
    }

    [Fact]
    public void Enum_index_out_of_range_is_rejected()
    {
        var schema = AvroTestSchemas.Probe(("colour", """{"type":"enum","name":"Colour","symbols":["RED","GREEN","BLUE"]}"""));
        var body = new AvroBytes().Long(3).ToArray();

        Assert.Equal("field 'colour': enum index 3 is outside 0..2 of 'mlops.test.Colour' at offset 0", Rejected(body, schema));
    }

    [Fact]
    public void Overlong_varint_is_rejected()
    {
        var schema = AvroTestSchemas.Probe(("big", "\"long\""));
        var body = new AvroBytes().Raw(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).ToArray();

        Assert.Equal("field 'big': long varint is longer than 10 bytes at offset 0", Rejected(body, schema));
    }

    [Fact]
    public void Int_varint_that_does_not_fit_32_bits_is_rejected()
    {
        var schema = AvroTestSchemas.Probe(("count", "\"int\""));
        var body = new AvroBytes().Long(int.MaxValue + 1L).ToArray();

        Assert.Equal("field 'count': int 2147483648 does not fit in an int at offset 0", Rejected(body, schema));
    }

    [Fact]
    public void Truncated_payload_is_rejected_naming_the_field_where_it_ends()
    {
        var schema = AvroTestSchemas.Probe(("event_id", "\"string\""), ("score", "\"double\""));
        var body = new AvroBytes().String("ab").Raw(1, 2, 3).ToArray();

        Assert.Equal("field 'score': double needs 8 bytes but only 3 remain at offset 3", Rejected(body, schema));
    }

    [Fact]
    public void Trailing_bytes_after_the_record_are_rejected()
    {
        var schema = AvroTestSchemas.Probe(("event_id", "\"string\""));
        var body = new AvroBytes().String("ab").Raw(0, 0).ToArray();

        Assert.Equal("record 'mlops.test.Probe': 2 trailing bytes after the message ended at offset 3", Rejected(body, schema));
    }

    [Fact]
    public void Depth_bomb_in_a_recursive_schema_is_rejected_at_MaxDepth()
    {
        var chain = new AvroBytes();
        for (var i = 0; i < 10_000; i++)
        {
            chain.Long(0).Long(1);
        }
        var body = chain.Long(0).Long(0).ToArray();

        var reason = Rejected(body, AvroTestSchemas.Node);

        Assert.StartsWith("field 'next.next.next.next.(56 more).next.next.next.next': nesting depth 65 exceeds MaxDepth 64", reason);
    }

    [Fact]
    public void Failures_deep_inside_nested_collections_name_the_whole_path()
    {
        var schema = AvroTestSchemas.Probe(("children", """{"type":"array","items":{"type":"record","name":"Leaf","fields":[{"name":"label","type":"string"}]}}"""));
        var body = new AvroBytes().Long(2).String("ok").Long(77).ToArray();

        Assert.Equal("field 'children[1].label': string length 77 exceeds the 0 bytes remaining at offset 6", Rejected(body, schema));
    }

    [Fact]
    public void Body_larger_than_MaxPayloadBytes_is_rejected_before_walking()
    {
        var schema = AvroTestSchemas.Probe(("blob", "\"bytes\""));
        var body = new AvroBytes().Long(100).Raw(new byte[100]).ToArray();

        Assert.Equal("payload of 102 bytes exceeds MaxPayloadBytes 64", Rejected(body, schema, Limits with { MaxPayloadBytes = 64 }));
    }
}
