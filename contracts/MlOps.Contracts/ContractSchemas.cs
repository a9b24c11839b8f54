using System.Collections.Frozen;
using System.Reflection;
using Avro;

namespace MlOps.Contracts;

/// <summary>
/// The Avro schemas in <c>contracts/avro</c> (embedded in this assembly), parsed together so that one
/// file may reference a record defined in another (e.g. <c>Prediction</c> uses <c>Lineage</c>).
/// </summary>
public static class ContractSchemas
{
    private const string ResourcePrefix = "avro/";

    private static readonly Lazy<FrozenDictionary<string, NamedSchema>> All = new(() =>
        Parse(typeof(ContractSchemas).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".avsc", StringComparison.Ordinal))
            .ToDictionary(n => n[ResourcePrefix.Length..], ReadResource)));

    /// <summary>Every contract schema by full name, e.g. <c>MlOps.Contracts.Prediction</c>.</summary>
    public static IReadOnlyDictionary<string, NamedSchema> ByFullName => All.Value;

    /// <summary>The schema of one contract type.</summary>
    public static NamedSchema For(string fullName) =>
        All.Value.TryGetValue(fullName, out var schema)
            ? schema
            : throw new KeyNotFoundException($"No Avro contract named '{fullName}' in contracts/avro.");

    /// <summary>
    /// Parses a set of .avsc texts (file name to JSON) in dependency order: a file whose referenced types are
    /// not parsed yet is retried after the others, until every file parses or no progress is possible.
    /// </summary>
    public static FrozenDictionary<string, NamedSchema> Parse(IReadOnlyDictionary<string, string> filesByName)
    {
        var parsed = new Dictionary<string, NamedSchema>(StringComparer.Ordinal);
        var pending = filesByName.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        while (pending.Count > 0)
        {
            var failures = new List<(string File, string Error)>();
            var next = new List<KeyValuePair<string, string>>();
            foreach (var file in pending)
            {
                // A failed parse leaves its own name registered, so each attempt starts from the parsed set.
                var names = new SchemaNames();
                foreach (var known in parsed.Values)
                {
                    names.Add(known);
                }
                try
                {
                    var schema = (NamedSchema)Schema.Parse(file.Value, names, null);
                    parsed[schema.Fullname] = schema;
                }
                catch (AvroException ex)
                {
                    failures.Add((file.Key, ex.Message));
                    next.Add(file);
                }
            }
            if (next.Count == pending.Count)
            {
                throw new InvalidOperationException("Avro contracts do not parse: " +
                    string.Join("; ", failures.Select(f => $"{f.File}: {f.Error}")));
            }
            pending = next;
        }
        return parsed.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ReadResource(string name)
    {
        using var stream = typeof(ContractSchemas).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Missing embedded resource {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
