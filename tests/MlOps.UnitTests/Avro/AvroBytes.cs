using System.Text;

namespace MlOps.UnitTests.Avro;

/// <summary>Builds Avro binary encodings by hand, including ones no honest writer would produce.</summary>
internal sealed class AvroBytes
{
    private readonly List<byte> _bytes = [];

    public static byte[] ConfluentHeader(int schemaId) =>
        [0, (byte)(schemaId >> 24), (byte)(schemaId >> 16), (byte)(schemaId >> 8), (byte)schemaId];

    public AvroBytes Long(long value)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        while (zigzag >= 0x80)
        {
            _bytes.Add((byte)(zigzag | 0x80));
            zigzag >>= 7;
        }
        _bytes.Add((byte)zigzag);
        return this;
    }

    public AvroBytes String(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        return Long(utf8.Length).Raw(utf8);
    }

    public AvroBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    public byte[] WithHeader(int schemaId) => [.. ConfluentHeader(schemaId), .. _bytes];
}
