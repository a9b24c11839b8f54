using Avro;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>
/// Finds why a reader schema cannot read a writer schema and says it in sentences naming the field, because
/// "incompatible" alone leaves a producer team guessing which change broke the contract.
/// Builds on <c>reader.CanRead(writer)</c>, plus the one rule Apache.Avro defers to decode time and Confluent
/// checks at registration: every enum symbol the writer may send must exist in the reader (or the reader has a default).
/// </summary>
internal static class AvroIncompatibilityExplainer
{
    // Recursive schemas would otherwise recurse forever; real schemas are far shallower than this.
    private const int MaxDepth = 32;

    /// <summary>The problems found; empty when the reader can read everything the writer writes.</summary>
    public static IReadOnlyList<string> Explain(Schema reader, Schema writer, string readerRole, string writerRole)
    {
        var problems = new List<string>();
        new Walker(readerRole, writerRole, problems).Walk(reader, writer, path: "", depth: 0);
        if (problems.Count == 0 && !reader.CanRead(writer))
        {
            problems.Add($"the {readerRole} schema cannot read data written with the {writerRole} schema");
        }

        return problems;
    }

    private sealed record Walker(string ReaderRole, string WriterRole, List<string> Problems)
    {
        public void Walk(Schema reader, Schema writer, string path, int depth)
        {
            if (depth > MaxDepth)
            {
                return;
            }

            if (reader.CanRead(writer))
            {
                WalkReadable(reader, writer, path, depth);
                return;
            }

            switch (reader, writer)
            {
                case (UnionSchema readerUnion, UnionSchema writerUnion):
                    foreach (var branch in writerUnion.Schemas.Where(w => !readerUnion.Schemas.Any(r => r.CanRead(w))))
                    {
                        Problems.Add($"MISSING_UNION_BRANCH: {Where(path)} in the {ReaderRole} schema has no union branch "
                            + $"that reads '{Describe(branch)}' from the {WriterRole} schema");
                    }

                    break;
                case (UnionSchema readerUnion, _):
                    Problems.Add($"MISSING_UNION_BRANCH: {Where(path)} is '{Describe(readerUnion)}' in the {ReaderRole} schema, "
                        + $"which cannot read '{Describe(writer)}' from the {WriterRole} schema");
                    break;
                case (RecordSchema readerRecord, RecordSchema writerRecord):
                    WalkRecord(readerRecord, writerRecord, path, depth);
                    break;
                case (ArraySchema readerArray, ArraySchema writerArray):
                    Walk(readerArray.ItemSchema, writerArray.ItemSchema, path + "[]", depth + 1);
                    break;
                case (MapSchema readerMap, MapSchema writerMap):
                    Walk(readerMap.ValueSchema, writerMap.ValueSchema, path + "{}", depth + 1);
                    break;
                case (NamedSchema readerNamed, NamedSchema writerNamed) when readerNamed.Tag == writerNamed.Tag
                    && !SameName(readerNamed, writerNamed):
                    Problems.Add($"NAME_MISMATCH: {Where(path)} is named '{readerNamed.Fullname}' in the {ReaderRole} schema "
                        + $"but '{writerNamed.Fullname}' in the {WriterRole} schema");
                    break;
                default:
                    Problems.Add($"TYPE_MISMATCH: {Where(path)} has type '{Describe(writer)}' in the {WriterRole} schema "
                        + $"but '{Describe(reader)}' in the {ReaderRole} schema, which cannot read it");
                    break;
            }
        }

        // CanRead passed here, but it does not look at enum symbols: descend to the enums it matched.
        private void WalkReadable(Schema reader, Schema writer, string path, int depth)
        {
            switch (reader, writer)
            {
                case (EnumSchema readerEnum, EnumSchema writerEnum) when readerEnum.Default is null:
                    var missing = writerEnum.Symbols.Except(readerEnum.Symbols, StringComparer.Ordinal).ToList();
                    if (missing.Count > 0)
                    {
                        Problems.Add($"MISSING_ENUM_SYMBOLS: {Where(path)} (enum '{readerEnum.Fullname}') in the {ReaderRole} "
                            + $"schema lacks symbol(s) {string.Join(", ", missing)} of the {WriterRole} schema and has no default");
                    }

                    break;
                case (RecordSchema readerRecord, RecordSchema writerRecord):
                    WalkRecord(readerRecord, writerRecord, path, depth);
                    break;
                case (ArraySchema readerArray, ArraySchema writerArray):
                    Walk(readerArray.ItemSchema, writerArray.ItemSchema, path + "[]", depth + 1);
                    break;
                case (MapSchema readerMap, MapSchema writerMap):
                    Walk(readerMap.ValueSchema, writerMap.ValueSchema, path + "{}", depth + 1);
                    break;
                case (UnionSchema readerUnion, UnionSchema writerUnion):
                    foreach (var branch in writerUnion.Schemas)
                    {
                        WalkBranch(readerUnion, branch, path, depth);
                    }

                    break;
                case (UnionSchema readerUnion, _):
                    WalkBranch(readerUnion, writer, path, depth);
                    break;
            }
        }

        private void WalkBranch(UnionSchema reader, Schema writerBranch, string path, int depth)
        {
            var match = reader.Schemas.FirstOrDefault(r => r.CanRead(writerBranch));
            if (match is not null)
            {
                Walk(match, writerBranch, path, depth + 1);
            }
        }

        private void WalkRecord(RecordSchema reader, RecordSchema writer, string path, int depth)
        {
            if (!SameName(reader, writer))
            {
                Problems.Add($"NAME_MISMATCH: {Where(path)} is record '{reader.Fullname}' in the {ReaderRole} schema "
                    + $"but '{writer.Fullname}' in the {WriterRole} schema");
                return;
            }

            foreach (var field in reader.Fields)
            {
                var fieldPath = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
                var writerField = FindWriterField(field, writer);
                if (writerField is null)
                {
                    if (field.DefaultValue is null)
                    {
                        Problems.Add($"READER_FIELD_MISSING_DEFAULT_VALUE: field '{fieldPath}' in the {ReaderRole} schema "
                            + $"has no default value and is missing in the {WriterRole} schema");
                    }

                    continue;
                }

                Walk(field.Schema, writerField.Schema, fieldPath, depth + 1);
            }
        }

        private static Field? FindWriterField(Field readerField, RecordSchema writer)
        {
            if (writer.TryGetField(readerField.Name, out var byName))
            {
                return byName;
            }

            return readerField.Aliases?.Select(alias => writer.TryGetField(alias, out var f) ? f : null)
                .FirstOrDefault(f => f is not null);
        }

        // Apache.Avro keeps a schema's aliases private; a differently named reader with aliases may still match
        // by alias, so only call it a name mismatch when the reader declares none.
        private static bool SameName(NamedSchema reader, NamedSchema writer) =>
            reader.SchemaName.Equals(writer.SchemaName)
            || Newtonsoft.Json.Linq.JObject.Parse(reader.ToString())["aliases"] is not null;

        private static string Where(string path) => path.Length == 0 ? "the top-level type" : $"field '{path}'";

        private static string Describe(Schema schema) => schema switch
        {
            UnionSchema union => "[" + string.Join(", ", union.Schemas.Select(Describe)) + "]",
            ArraySchema array => $"array<{Describe(array.ItemSchema)}>",
            MapSchema map => $"map<{Describe(map.ValueSchema)}>",
            NamedSchema named => named.Fullname,
            LogicalSchema logical => $"{logical.LogicalTypeName}({Describe(logical.BaseSchema)})",
            _ => schema.Name,
        };
    }
}
