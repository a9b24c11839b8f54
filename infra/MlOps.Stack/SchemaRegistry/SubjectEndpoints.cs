using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>The /subjects part of Confluent's REST API: register, look up, list and delete versions.</summary>
internal static class SubjectEndpoints
{
    public static void MapSubjectEndpoints(this IEndpointRouteBuilder app, SchemaStore store)
    {
        app.MapGet("/subjects", () => RegistryHttp.Json(store.GetSubjects()));

        app.MapPost("/subjects/{subject}/versions", async (string subject, HttpRequest request, CancellationToken ct) =>
        {
            var body = await RegistryHttp.ReadSchemaRequestAsync(request, ct);
            return RegistryHttp.Json(new { id = store.Register(subject, body.Schema, body.SchemaType) });
        });

        // Lookup: which version of the subject holds this schema (AvroSerializer with AutoRegisterSchemas=false).
        app.MapPost("/subjects/{subject}", async (string subject, HttpRequest request, CancellationToken ct) =>
        {
            var body = await RegistryHttp.ReadSchemaRequestAsync(request, ct);
            return RegistryHttp.Json(RegistryHttp.Version(store.Lookup(subject, body.Schema, body.SchemaType)));
        });

        app.MapGet("/subjects/{subject}/versions", (string subject) =>
            RegistryHttp.Json(store.GetVersionNumbers(subject)));

        app.MapGet("/subjects/{subject}/versions/{version}", (string subject, string version) =>
            RegistryHttp.Json(RegistryHttp.Version(store.GetVersion(subject, RegistryHttp.ParseVersion(version)))));

        // The raw schema, not wrapped in an object, as Confluent answers it.
        app.MapGet("/subjects/{subject}/versions/{version}/schema", (string subject, string version) =>
            Results.Text(store.GetVersion(subject, RegistryHttp.ParseVersion(version)).Schema, RegistryHttp.ContentType));

        app.MapDelete("/subjects/{subject}", (string subject) => RegistryHttp.Json(store.DeleteSubject(subject)));

        app.MapDelete("/subjects/{subject}/versions/{version}", (string subject, string version) =>
            RegistryHttp.Json(store.DeleteVersion(subject, RegistryHttp.ParseVersion(version))));
    }
}
