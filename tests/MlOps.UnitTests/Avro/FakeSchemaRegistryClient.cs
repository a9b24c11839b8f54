using System.Net;
using Confluent.SchemaRegistry;

namespace MlOps.UnitTests.Avro;

/// <summary>
/// Serves schemas by id from memory: GetSchemaAsync (the guard) and GetSchemaBySubjectAndIdAsync (Confluent's
/// deserializer) are the only registry calls made when reading. Anything else fails loudly so a new dependency is noticed.
/// </summary>
internal sealed class FakeSchemaRegistryClient : ISchemaRegistryClient
{
    private readonly Dictionary<int, Schema> _schemas = [];
    private readonly Dictionary<(string, int), RegisteredSchema> _versions = [];

    public int GetSchemaCalls { get; private set; }

    public HttpStatusCode? FailWith { get; set; }

    public IEnumerable<KeyValuePair<string, string>> Config => [];
    public IAuthenticationHeaderValueProvider AuthHeaderProvider => null!;
    public IWebProxy Proxy => null!;
    public int MaxCachedSchemas => 1000;

    public FakeSchemaRegistryClient With(int id, global::Avro.Schema schema) => With(id, schema.ToString());

    public FakeSchemaRegistryClient With(int id, string schemaJson, params SchemaReference[] references)
    {
        _schemas[id] = new Schema(schemaJson, [.. references], SchemaType.Avro);
        return this;
    }

    /// <summary>A subject version that other schemas can reference.</summary>
    public FakeSchemaRegistryClient WithVersion(string subject, int version, int id, string schemaJson)
    {
        _versions[(subject, version)] = new RegisteredSchema(subject, version, id, schemaJson, SchemaType.Avro, []);
        return this;
    }

    public Task<Schema> GetSchemaAsync(int id, string? format = null)
    {
        GetSchemaCalls++;
        if (FailWith is { } status)
        {
            throw new SchemaRegistryException("injected failure", status, (int)status * 100);
        }
        return _schemas.TryGetValue(id, out var schema)
            ? Task.FromResult(schema)
            : throw new SchemaRegistryException("Schema not found", HttpStatusCode.NotFound, 40403);
    }

    // Confluent's deserializer fetches the writer schema this way (the guard uses GetSchemaAsync).
    public Task<Schema> GetSchemaBySubjectAndIdAsync(string? subject, int id, string? format = null) => GetSchemaAsync(id, format);

    public void Dispose()
    {
    }

    public Task<int> RegisterSchemaAsync(string subject, string avroSchema, bool normalize = false) => throw Unused();
    public Task<int> RegisterSchemaAsync(string subject, Schema schema, bool normalize = false) => throw Unused();
    public Task<RegisteredSchema> RegisterSchemaWithResponseAsync(string subject, Schema schema, bool normalize = false) => throw Unused();
    public Task<int> GetSchemaIdAsync(string subject, string avroSchema, bool normalize = false) => throw Unused();
    public Task<int> GetSchemaIdAsync(string subject, Schema schema, bool normalize = false) => throw Unused();
    public Task<Schema> GetSchemaByGuidAsync(string guid, string? format = null) => throw Unused();
    public Task<RegisteredSchema> LookupSchemaAsync(string subject, Schema schema, bool ignoreDeletedSchemas, bool normalize = false) => throw Unused();
    // Used to resolve schema references.
    public Task<RegisteredSchema> GetRegisteredSchemaAsync(string subject, int version, bool ignoreDeletedSchemas = true) =>
        _versions.TryGetValue((subject, version), out var registered)
            ? Task.FromResult(registered)
            : throw new SchemaRegistryException("Version not found", HttpStatusCode.NotFound, 40402);
    public Task<string> GetSchemaAsync(string subject, int version) => throw Unused();
    public Task<RegisteredSchema> GetLatestSchemaAsync(string subject) => throw Unused();
    public Task<RegisteredSchema> GetLatestWithMetadataAsync(string subject, IDictionary<string, string> metadata, bool ignoreDeletedSchemas) => throw Unused();
    public Task<List<string>> GetAllSubjectsAsync() => throw Unused();
    public Task<List<int>> GetSubjectVersionsAsync(string subject) => throw Unused();
    public Task<bool> IsCompatibleAsync(string subject, string avroSchema) => throw Unused();
    public Task<bool> IsCompatibleAsync(string subject, Schema schema) => throw Unused();
    public string ConstructKeySubjectName(string topic, string? recordType = null) => throw Unused();
    public string ConstructValueSubjectName(string topic, string? recordType = null) => throw Unused();
    public Task<Compatibility> GetCompatibilityAsync(string? subject = null) => throw Unused();
    public Task<Compatibility> UpdateCompatibilityAsync(Compatibility compatibility, string? subject = null) => throw Unused();
    public void ClearLatestCaches() => throw Unused();
    public void ClearCaches() => throw Unused();
    public Task<List<Association>> GetAssociationsByResourceNameAsync(
        string resourceName, string resourceNamespace, string resourceType, List<string> associationTypes, string lifecycle, int offset, int limit) => throw Unused();
    public Task<AssociationResponse> CreateAssociationAsync(AssociationCreateOrUpdateRequest request) => throw Unused();
    public Task DeleteAssociationsAsync(string resourceId, string resourceType, List<string> associationTypes, bool cascadeLifecycle) => throw Unused();

    private static NotSupportedException Unused([System.Runtime.CompilerServices.CallerMemberName] string member = "") =>
        new($"{member} is not used by Avro deserialization; the fake does not implement it.");
}
