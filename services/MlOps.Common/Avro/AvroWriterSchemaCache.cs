using System.Collections.Concurrent;
using System.Net;
using Confluent.SchemaRegistry;

namespace MlOps.Common.Avro;

/// <summary>
/// Writer schemas parsed once per schema id. Only ids the registry knows are cached, so a flood of
/// random ids cannot grow the cache; a 404 becomes a rejection, any other registry error propagates
/// because it is transient and the message may be fine.
/// </summary>
internal sealed class AvroWriterSchemaCache(ISchemaRegistryClient registry)
{
    private const int MaxReferenceDepth = 16;

    private readonly ConcurrentDictionary<int, global::Avro.Schema> _parsed = new();

    public ValueTask<global::Avro.Schema> GetAsync(int schemaId, CancellationToken ct) =>
        _parsed.TryGetValue(schemaId, out var schema)
            ? ValueTask.FromResult(schema)
            : new ValueTask<global::Avro.Schema>(FetchAsync(schemaId, ct));

    private async Task<global::Avro.Schema> FetchAsync(int schemaId, CancellationToken ct)
    {
        Schema registered;
        try
        {
            registered = await registry.GetSchemaAsync(schemaId).WaitAsync(ct).ConfigureAwait(false);
        }
        catch (SchemaRegistryException e) when (e.Status == HttpStatusCode.NotFound)
        {
            throw new AvroPayloadRejectedException($"unknown schema id {schemaId}", schemaId, e, AvroRejection.UnknownSchema);
        }
        if (registered.SchemaType != SchemaType.Avro)
        {
            throw new AvroPayloadRejectedException($"schema id {schemaId} is a {registered.SchemaType} schema, not Avro", schemaId, kind: AvroRejection.UnknownSchema);
        }
        var names = new global::Avro.SchemaNames();
        var seen = new HashSet<(string, int)>();
        try
        {
            await AddReferencesAsync(registered.References, names, seen, 0, ct).ConfigureAwait(false);
            return _parsed.GetOrAdd(schemaId, global::Avro.Schema.Parse(registered.SchemaString, names, null));
        }
        catch (global::Avro.AvroException e)
        {
            throw new AvroPayloadRejectedException($"schema id {schemaId} is not a valid Avro schema: {e.Message}", schemaId, e);
        }
    }

    // Referenced schemas must be parsed into the same SchemaNames first, dependencies before dependants.
    private async Task AddReferencesAsync(
        List<SchemaReference>? references, global::Avro.SchemaNames names, HashSet<(string, int)> seen, int depth, CancellationToken ct)
    {
        if (references is null || references.Count == 0)
        {
            return;
        }
        if (depth >= MaxReferenceDepth)
        {
            throw new global::Avro.AvroException($"schema references nest deeper than {MaxReferenceDepth}");
        }
        foreach (var reference in references)
        {
            if (!seen.Add((reference.Subject, reference.Version)))
            {
                continue;
            }
            var referenced = await registry.GetRegisteredSchemaAsync(reference.Subject, reference.Version)
                .WaitAsync(ct).ConfigureAwait(false);
            await AddReferencesAsync(referenced.References, names, seen, depth + 1, ct).ConfigureAwait(false);
            global::Avro.Schema.Parse(referenced.SchemaString, names, null);
        }
    }
}
