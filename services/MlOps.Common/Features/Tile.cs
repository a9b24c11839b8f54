using System.Globalization;

namespace MlOps.Common.Features;

/// <summary>
/// The partial aggregates of one tile: its index and one value per <see cref="TileSchema"/> part (null = no value
/// yet, for min/max). Encoded as <c>index|part|part…</c>. Merging is commutative and associative — the higher tile
/// index wins a slot, equal indexes combine part by part — so any order of batches, instances or replays of the
/// same events ends in the same tile. The Lua apply script implements the same merge.
/// </summary>
public sealed record Tile(long Index, double?[] Parts)
{
    public static Tile Empty(long index, TileSchema schema)
    {
        var parts = new double?[schema.Kinds.Count];
        parts[0] = 0;
        for (var i = 1; i < parts.Length; i++)
        {
            parts[i] = schema.Kinds[i] == PartKind.Sum ? 0 : null;
        }
        return new Tile(index, parts);
    }

    public static Tile Merge(Tile a, Tile b, TileSchema schema)
    {
        if (a.Index != b.Index)
        {
            return a.Index > b.Index ? a : b;
        }
        var parts = new double?[a.Parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = (a.Parts[i], b.Parts[i]) switch
            {
                (null, var y) => y,
                (var x, null) => x,
                var (x, y) => schema.Kinds[i] switch
                {
                    PartKind.Sum => x + y,
                    PartKind.Min => Math.Min(x!.Value, y!.Value),
                    _ => Math.Max(x!.Value, y!.Value),
                },
            };
        }
        return new Tile(a.Index, parts);
    }

    public string Encode()
    {
        // Written per tile merge of every batch: formatted into a stack buffer, one string allocated.
        Span<char> buffer = stackalloc char[20 + (Parts.Length * 26)];
        Index.TryFormat(buffer, out var length, provider: CultureInfo.InvariantCulture);
        foreach (var part in Parts)
        {
            buffer[length++] = '|';
            if (part is { } value)
            {
                value.TryFormat(buffer[length..], out var written, "R", CultureInfo.InvariantCulture);
                length += written;
            }
        }
        return new string(buffer[..length]);
    }

    /// <summary>
    /// Merges the encoded tile <paramref name="text"/> into <paramref name="parts"/> (as <see cref="Merge"/> does for
    /// equal indexes) if its index is <paramref name="index"/>; false, and nothing parsed, for another index.
    /// </summary>
    public static bool MergeInto(string text, long index, double?[] parts, TileSchema schema)
    {
        var rest = text.AsSpan();
        var bar = rest.IndexOf('|');
        if (!long.TryParse(bar < 0 ? rest : rest[..bar], NumberStyles.Integer, CultureInfo.InvariantCulture, out var own) || own != index)
        {
            return false;
        }
        for (var i = 0; i < parts.Length && bar >= 0; i++)
        {
            rest = rest[(bar + 1)..];
            bar = rest.IndexOf('|');
            var field = bar < 0 ? rest : rest[..bar];
            if (field.IsEmpty)
            {
                continue;
            }
            var y = double.Parse(field, NumberStyles.Float, CultureInfo.InvariantCulture);
            parts[i] = parts[i] is not { } x
                ? y
                : schema.Kinds[i] switch
                {
                    PartKind.Sum => x + y,
                    PartKind.Min => Math.Min(x, y),
                    _ => Math.Max(x, y),
                };
        }
        return true;
    }

    public static Tile Decode(string text)
    {
        var fields = text.Split('|');
        var parts = new double?[fields.Length - 1];
        for (var i = 1; i < fields.Length; i++)
        {
            parts[i - 1] = fields[i].Length == 0 ? null : double.Parse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return new Tile(long.Parse(fields[0], CultureInfo.InvariantCulture), parts);
    }
}
