using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>The /schemas part of Confluent's REST API: what AvroDeserializer calls to resolve a writer schema id.</summary>
internal static class SchemaEndpoints
{
    public static void MapSchemaEndpoints(this IEndpointRouteBuilder app, SchemaStore store)
    {
        // schemaType is omitted for AVRO, as Confluent does; its client then assumes AVRO.
        app.MapGet("/schemas/ids/{id:int}", (int id) => RegistryHttp.Json(new { schema = store.GetSchemaById(id) }));

        app.MapGet("/schemas/ids/{id:int}/schema", (int id) => Results.Text(store.GetSchemaById(id), RegistryHttp.ContentType));

        app.MapGet("/schemas/ids/{id:int}/versions", (int id) =>
            RegistryHttp.Json(store.GetVersionsUsingId(id).Select(v => new { subject = v.Subject, version = v.Version })));

        app.MapGet("/schemas/ids/{id:int}/subjects", (int id) =>
            RegistryHttp.Json(store.GetVersionsUsingId(id).Select(v => v.Subject).Distinct()));

        app.MapGet("/schemas/types", () => RegistryHttp.Json(new[] { AvroSchemaText.AvroType }));
    }
}
