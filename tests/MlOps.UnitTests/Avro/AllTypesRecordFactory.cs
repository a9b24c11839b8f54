using Avro;
using Avro.Generic;
using Avro.IO;

namespace MlOps.UnitTests.Avro;

/// <summary>Random <see cref="AvroTestSchemas.AllTypes"/> records, encoded by Apache.Avro's own writer.</summary>
internal sealed class AllTypesRecordFactory(int seed)
{
    private static readonly RecordSchema Inner = (RecordSchema)((ArraySchema)AvroTestSchemas.AllTypes["children"].Schema).ItemSchema;
    private static readonly EnumSchema Colour = (EnumSchema)AvroTestSchemas.AllTypes["colour"].Schema;
    private static readonly FixedSchema Hash = (FixedSchema)AvroTestSchemas.AllTypes["hash"].Schema;

    private readonly Random _random = new(seed);

    public static byte[] Encode(Schema schema, object datum)
    {
        using var stream = new MemoryStream();
        var encoder = new BinaryEncoder(stream);
        new GenericDatumWriter<object>(schema).Write(datum, encoder);
        encoder.Flush();
        return stream.ToArray();
    }

    public GenericRecord Next()
    {
        var record = new GenericRecord(AvroTestSchemas.AllTypes);
        record.Add("nothing", null);
        record.Add("flag", _random.Next(2) == 1);
        record.Add("count", _random.Next(int.MinValue, int.MaxValue));
        record.Add("big", _random.NextInt64(long.MinValue, long.MaxValue));
        record.Add("ratio", (float)(_random.NextDouble() * 1e6));
        record.Add("score", _random.NextDouble() * 1e12);
        record.Add("blob", Bytes(_random.Next(0, 300)));
        record.Add("event_id", Text());
        record.Add("colour", new GenericEnum(Colour, Colour[_random.Next(Colour.Count)]));
        record.Add("hash", new GenericFixed(Hash, Bytes(Hash.Size)));
        record.Add("tags", Enumerable.Range(0, _random.Next(0, 6)).Select(_ => (object)Text()).ToArray());
        record.Add("weights", Enumerable.Range(0, _random.Next(0, 5))
            .ToDictionary(i => $"w{i}-{Text()}", _ => (object)_random.NextDouble()));
        record.Add("note", _random.Next(2) == 0 ? null : Text());
        record.Add("inner", NextInner());
        record.Add("children", Enumerable.Range(0, _random.Next(0, 4)).Select(_ => (object)NextInner()).ToArray());
        record.Add("day", DateTime.UnixEpoch.AddDays(_random.Next(0, 40_000)));
        record.Add("at", DateTime.UnixEpoch.AddMilliseconds(_random.NextInt64(0, 4_000_000_000_000)));
        record.Add("amount", new AvroDecimal(new decimal(_random.Next(), 0, 0, _random.Next(2) == 1, 2)));
        record.Add("uid", new Guid(Bytes(16)));
        return record;
    }

    private GenericRecord NextInner()
    {
        var inner = new GenericRecord(Inner);
        inner.Add("label", Text());
        inner.Add("values", Enumerable.Range(0, _random.Next(0, 8)).Select(_ => (object)_random.NextInt64()).ToArray());
        return inner;
    }

    private string Text()
    {
        const string alphabet = "abcxyz019 _-€ü日本";
        var length = _random.Next(0, 40);
        return string.Concat(Enumerable.Range(0, length).Select(_ => alphabet[_random.Next(alphabet.Length)]));
    }

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }
}
