using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>The /compatibility part of Confluent's REST API: a dry run of a registration's compatibility check.</summary>
internal static class CompatibilityEndpoints
{
    public static void MapCompatibilityEndpoints(this IEndpointRouteBuilder app, SchemaStore store)
    {
        app.MapPost("/compatibility/subjects/{subject}/versions/{version}",
            async (string subject, string version, HttpRequest request, CancellationToken ct) =>
            {
                var body = await RegistryHttp.ReadSchemaRequestAsync(request, ct);
                var result = store.TestCompatibility(subject, RegistryHttp.ParseVersion(version), body.Schema, body.SchemaType);
                // Messages are sent whether or not ?verbose=true was asked for; clients ignore what they do not read.
                return RegistryHttp.Json(new { is_compatible = result.IsCompatible, messages = result.Messages });
            });
    }
}
