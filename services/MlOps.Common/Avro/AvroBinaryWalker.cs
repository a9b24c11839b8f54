using Avro;

namespace MlOps.Common.Avro;

/// <summary>
/// Walks Avro binary encoding against a writer schema without materialising any value. The success path
/// allocates nothing; on failure the cursor holds one message and the walker records, while unwinding,
/// the field path that led to it.
/// </summary>
internal ref struct AvroBinaryWalker
{
    private readonly AvroLimits _limits;
    private AvroBinaryCursor _cursor;
    private long _items;
    private List<string>? _path; // innermost segment first, filled only on failure

    public AvroBinaryWalker(ReadOnlySpan<byte> data, AvroLimits limits)
    {
        _cursor = new AvroBinaryCursor(data);
        _limits = limits;
    }

    public readonly string Error => _cursor.Error ?? "no error";

    public readonly IReadOnlyList<string> PathInnermostFirst => _path ?? (IReadOnlyList<string>)[];

    public bool WalkToEnd(Schema schema)
    {
        if (!Value(schema, 0))
        {
            return false;
        }
        return _cursor.Remaining == 0
            || _cursor.Fail($"{_cursor.Remaining} trailing bytes after the message ended at offset {_cursor.Position}");
    }

    private bool Value(Schema schema, int depth) => schema.Tag switch
    {
        Schema.Type.Null => true,
        Schema.Type.Boolean => _cursor.Boolean(),
        Schema.Type.Int => _cursor.Int(out _, "int"),
        Schema.Type.Long => _cursor.Long(out _, "long"),
        Schema.Type.Float => _cursor.Skip(4, "float"),
        Schema.Type.Double => _cursor.Skip(8, "double"),
        Schema.Type.Bytes => _cursor.LengthPrefixed("bytes"),
        Schema.Type.String => _cursor.LengthPrefixed("string"),
        Schema.Type.Fixed => _cursor.Skip(((FixedSchema)schema).Size, "fixed"),
        Schema.Type.Enumeration => Enum((EnumSchema)schema),
        Schema.Type.Union => Union((UnionSchema)schema, depth),
        Schema.Type.Record or Schema.Type.Error => Record((RecordSchema)schema, depth + 1),
        Schema.Type.Array => Blocks(((ArraySchema)schema).ItemSchema, isMap: false, depth + 1),
        Schema.Type.Map => Blocks(((MapSchema)schema).ValueSchema, isMap: true, depth + 1),
        // Logical types are encoded exactly as their underlying type; dates and times must also be convertible.
        Schema.Type.Logical => Logical((LogicalSchema)schema, depth),
        _ => _cursor.Fail($"unsupported schema type {schema.Tag}"),
    };

    private bool Logical(LogicalSchema schema, int depth)
    {
        if (AvroLogicalRange.Of(schema.LogicalTypeName) is not { } range)
        {
            return Value(schema.BaseSchema, depth);
        }
        var start = _cursor.Position;
        long value;
        if (schema.BaseSchema.Tag == Schema.Type.Int)
        {
            if (!_cursor.Int(out var narrow, schema.LogicalTypeName))
            {
                return false;
            }
            value = narrow;
        }
        else if (!_cursor.Long(out value, schema.LogicalTypeName))
        {
            return false;
        }
        return range.Contains(value)
            || _cursor.Fail($"{schema.LogicalTypeName} {value} is outside {range.Min}..{range.Max} ({range.Meaning}) at offset {start}");
    }

    private bool Record(RecordSchema record, int depth)
    {
        if (!DepthAllowed(depth))
        {
            return false;
        }
        foreach (var field in record.Fields)
        {
            if (!Value(field.Schema, depth))
            {
                AddPath(field.Name);
                return false;
            }
        }
        return true;
    }

    private bool Blocks(Schema itemSchema, bool isMap, int depth)
    {
        if (!DepthAllowed(depth))
        {
            return false;
        }
        var kind = isMap ? "map" : "array";
        long index = 0;
        while (true)
        {
            if (!_cursor.Long(out var count, kind, " block count"))
            {
                return false;
            }
            if (count == 0)
            {
                return true;
            }
            var declaredSize = -1L;
            if (count < 0)
            {
                // A negative count is followed by the block's size in bytes, so readers can skip it.
                if (count == long.MinValue)
                {
                    return _cursor.Fail($"{kind} block count {count} cannot be negated at offset {_cursor.Position}");
                }
                count = -count;
                if (!_cursor.Long(out declaredSize, kind, " block size"))
                {
                    return false;
                }
                if (declaredSize < 0 || declaredSize > _cursor.Remaining)
                {
                    return _cursor.Fail($"{kind} block size {declaredSize} is outside the {_cursor.Remaining} bytes remaining at offset {_cursor.Position}");
                }
            }
            if (count > _limits.MaxCollectionItems - _items)
            {
                return _cursor.Fail($"{kind} block count {count} brings the message past MaxCollectionItems {_limits.MaxCollectionItems} at offset {_cursor.Position}");
            }
            _items += count;
            var blockStart = _cursor.Position;
            for (long i = 0; i < count; i++, index++)
            {
                if ((isMap && !_cursor.LengthPrefixed("map key")) || !Value(itemSchema, depth))
                {
                    AddPath($"[{index}]");
                    return false;
                }
            }
            if (declaredSize >= 0 && _cursor.Position - blockStart != declaredSize)
            {
                return _cursor.Fail($"{kind} block size {declaredSize} does not match the {_cursor.Position - blockStart} bytes its items used at offset {blockStart}");
            }
        }
    }

    private bool Union(UnionSchema union, int depth)
    {
        var start = _cursor.Position;
        if (!_cursor.Long(out var branch, "union branch index"))
        {
            return false;
        }
        if (branch < 0 || branch >= union.Count)
        {
            return _cursor.Fail($"union branch index {branch} is outside 0..{union.Count - 1} at offset {start}");
        }
        return Value(union[(int)branch], depth);
    }

    private bool Enum(EnumSchema schema)
    {
        var start = _cursor.Position;
        if (!_cursor.Int(out var ordinal, "enum index"))
        {
            return false;
        }
        return (ordinal >= 0 && ordinal < schema.Count)
            || _cursor.Fail($"enum index {ordinal} is outside 0..{schema.Count - 1} of '{schema.Fullname}' at offset {start}");
    }

    private bool DepthAllowed(int depth) =>
        depth <= _limits.MaxDepth
        || _cursor.Fail($"nesting depth {depth} exceeds MaxDepth {_limits.MaxDepth} at offset {_cursor.Position}");

    private void AddPath(string segment) => (_path ??= []).Add(segment);
}
