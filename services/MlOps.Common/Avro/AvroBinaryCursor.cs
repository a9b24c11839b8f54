namespace MlOps.Common.Avro;

/// <summary>
/// Reads Avro primitive encodings from a span and checks every declared length against the bytes that are
/// actually left. Nothing is decoded or copied; failures keep the first message and return false.
/// </summary>
internal ref struct AvroBinaryCursor
{
    private readonly ReadOnlySpan<byte> _data;

    public AvroBinaryCursor(ReadOnlySpan<byte> data) => _data = data;

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public string? Error { get; private set; }

    public bool Boolean()
    {
        if (Remaining < 1)
        {
            return Fail($"boolean needs 1 byte but the payload ends at offset {Position}");
        }
        var value = _data[Position];
        return value <= 1 ? Advance(1) : Fail($"boolean byte {value} is neither 0 nor 1 at offset {Position}");
    }

    public bool LengthPrefixed(string kind)
    {
        if (!Long(out var length, kind, " length"))
        {
            return false;
        }
        if (length < 0)
        {
            return Fail($"{kind} length {length} is negative at offset {Position}");
        }
        return length <= Remaining
            ? Advance((int)length)
            : Fail($"{kind} length {length} exceeds the {Remaining} bytes remaining at offset {Position}");
    }

    public bool Skip(int size, string kind) =>
        size <= Remaining
            ? Advance(size)
            : Fail($"{kind} needs {size} bytes but only {Remaining} remain at offset {Position}");

    /// <summary>Avro ints are zig-zag varints of at most 5 bytes whose value fits in 32 bits.</summary>
    public bool Int(out int value, string what)
    {
        value = 0;
        var start = Position;
        if (!Varint(out var wide, what, "", maxBytes: 5))
        {
            return false;
        }
        if (wide is < int.MinValue or > int.MaxValue)
        {
            return Fail($"{what} {wide} does not fit in an int at offset {start}");
        }
        value = (int)wide;
        return true;
    }

    /// <summary>Avro longs (also every length, count and union index) are zig-zag varints of at most 10 bytes.</summary>
    /// <remarks><paramref name="what"/> and <paramref name="detail"/> are only joined when a message is needed.</remarks>
    public bool Long(out long value, string what, string detail = "") => Varint(out value, what, detail, maxBytes: 10);

    public bool Fail(string message)
    {
        Error ??= message;
        return false;
    }

    private bool Varint(out long value, string what, string detail, int maxBytes)
    {
        value = 0;
        var start = Position;
        ulong raw = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            if (Remaining < 1)
            {
                return Fail($"{what}{detail} varint is truncated at offset {start}");
            }
            var b = _data[Position++];
            raw |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                // The 10th byte may only carry bit 63; anything more would be silently dropped.
                if (i == 9 && b > 1)
                {
                    return Fail($"{what}{detail} varint overflows 64 bits at offset {start}");
                }
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
        }
        return Fail($"{what}{detail} varint is longer than {maxBytes} bytes at offset {start}");
    }

    private bool Advance(int count)
    {
        Position += count;
        return true;
    }
}
