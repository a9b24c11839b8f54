using Avro;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>
/// In-memory registry state: subjects with ordered versions, and global schema ids shared across subjects
/// (the same canonical text gets the same id everywhere, as in Confluent). One lock keeps it simple:
/// registrations are rare and cheap next to the HTTP round trip.
/// </summary>
public sealed class SchemaStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<SubjectVersion>> subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> idsByCanonical = new(StringComparer.Ordinal);
    // Ids outlive their versions: a consumer may still hold bytes written with a deleted version's id.
    private readonly Dictionary<int, Schema> schemasById = [];
    private int lastId;

    public CompatibilityConfig Config { get; } = new();

    /// <summary>Registers the schema under <paramref name="subject"/> and returns its global id.</summary>
    /// <exception cref="SchemaRegistryException">42201 invalid schema, 409 incompatible.</exception>
    public int Register(string subject, string? schemaText, string? schemaType = null)
    {
        var parsed = AvroSchemaText.Parse(schemaText, schemaType);
        var canonical = parsed.ToString();
        var level = Config.EffectiveLevel(subject);
        lock (gate)
        {
            var versions = subjects.GetValueOrDefault(subject) ?? [];
            var same = versions.Find(v => v.Schema == canonical);
            if (same is not null)
            {
                return same.Id;
            }

            var existing = versions.Select(v => (v.Version, schemasById[v.Id])).ToList();
            var result = AvroCompatibility.Check(parsed, existing, level);
            if (!result.IsCompatible)
            {
                throw SchemaRegistryException.Incompatible(subject, result.Messages);
            }

            if (!idsByCanonical.TryGetValue(canonical, out var id))
            {
                id = ++lastId;
                idsByCanonical[canonical] = id;
                schemasById[id] = parsed;
            }

            var version = versions.Count == 0 ? 1 : versions[^1].Version + 1;
            versions.Add(new SubjectVersion(subject, version, id, canonical));
            subjects[subject] = versions;
            return id;
        }
    }

    /// <summary>Finds the version of <paramref name="subject"/> holding this schema (whitespace-insensitive).</summary>
    public SubjectVersion Lookup(string subject, string? schemaText, string? schemaType = null)
    {
        var canonical = AvroSchemaText.Parse(schemaText, schemaType).ToString();
        lock (gate)
        {
            return VersionsOf(subject).Find(v => v.Schema == canonical) ?? throw SchemaRegistryException.SchemaNotFound();
        }
    }

    public string GetSchemaById(int id)
    {
        lock (gate)
        {
            return schemasById.TryGetValue(id, out var schema)
                ? schema.ToString()
                : throw SchemaRegistryException.SchemaNotFound();
        }
    }

    /// <summary>Every live subject version that uses schema <paramref name="id"/>.</summary>
    public IReadOnlyList<SubjectVersion> GetVersionsUsingId(int id)
    {
        lock (gate)
        {
            if (!schemasById.ContainsKey(id))
            {
                throw SchemaRegistryException.SchemaNotFound();
            }

            return [.. subjects.Values.SelectMany(v => v).Where(v => v.Id == id).OrderBy(v => v.Subject, StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<string> GetSubjects()
    {
        lock (gate)
        {
            return [.. subjects.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<int> GetVersionNumbers(string subject)
    {
        lock (gate)
        {
            return [.. VersionsOf(subject).Select(v => v.Version)];
        }
    }

    /// <param name="version">A version number, or null for the latest.</param>
    public SubjectVersion GetVersion(string subject, int? version)
    {
        lock (gate)
        {
            return Find(subject, version);
        }
    }

    /// <summary>Checks the schema against one version (null = latest) in the subject's configured direction.</summary>
    public CompatibilityResult TestCompatibility(string subject, int? version, string? schemaText, string? schemaType = null)
    {
        var parsed = AvroSchemaText.Parse(schemaText, schemaType);
        var level = Config.EffectiveLevel(subject);
        SubjectVersion target;
        Schema old;
        lock (gate)
        {
            target = Find(subject, version);
            old = schemasById[target.Id];
        }

        return AvroCompatibility.CheckVersion(parsed, target.Version, old, level);
    }

    /// <summary>Removes the subject, its versions and its own compatibility level; returns the removed versions.</summary>
    public IReadOnlyList<int> DeleteSubject(string subject)
    {
        lock (gate)
        {
            var removed = VersionsOf(subject).Select(v => v.Version).ToList();
            subjects.Remove(subject);
            Config.RemoveSubjectLevel(subject);
            return removed;
        }
    }

    /// <param name="version">A version number, or null for the latest.</param>
    public int DeleteVersion(string subject, int? version)
    {
        lock (gate)
        {
            var target = Find(subject, version);
            var versions = subjects[subject];
            versions.Remove(target);
            if (versions.Count == 0)
            {
                subjects.Remove(subject);
            }

            return target.Version;
        }
    }

    private List<SubjectVersion> VersionsOf(string subject) =>
        subjects.TryGetValue(subject, out var versions) ? versions : throw SchemaRegistryException.SubjectNotFound(subject);

    private SubjectVersion Find(string subject, int? version)
    {
        var versions = VersionsOf(subject);
        return version is null
            ? versions[^1]
            : versions.Find(v => v.Version == version) ?? throw SchemaRegistryException.VersionNotFound(subject, version.Value);
    }
}
