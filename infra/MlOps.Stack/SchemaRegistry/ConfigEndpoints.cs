using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>The /config part of Confluent's REST API: global and per-subject compatibility levels.</summary>
internal static class ConfigEndpoints
{
    public static void MapConfigEndpoints(this IEndpointRouteBuilder app, SchemaStore store)
    {
        app.MapGet("/config", () => Level(store.Config.Global));

        app.MapPut("/config", async (HttpRequest request, CancellationToken ct) =>
        {
            store.Config.Global = await RegistryHttp.ReadCompatibilityAsync(request, ct);
            return Level(store.Config.Global);
        });

        app.MapGet("/config/{subject}", (string subject, bool? defaultToGlobal) =>
        {
            var level = store.Config.GetSubjectLevel(subject)
                ?? (defaultToGlobal == true ? store.Config.Global : throw SchemaRegistryException.SubjectConfigNotFound(subject));
            return Level(level);
        });

        app.MapPut("/config/{subject}", async (string subject, HttpRequest request, CancellationToken ct) =>
        {
            var level = await RegistryHttp.ReadCompatibilityAsync(request, ct);
            store.Config.SetSubjectLevel(subject, level);
            return Level(level);
        });

        app.MapDelete("/config/{subject}", (string subject) =>
            Level(store.Config.RemoveSubjectLevel(subject) ?? throw SchemaRegistryException.SubjectConfigNotFound(subject)));
    }

    // Confluent answers GET with "compatibilityLevel" but its .NET client parses "compatibility": send both.
    private static IResult Level(CompatibilityLevel level)
    {
        var name = CompatibilityLevelNames.ToWireName(level);
        return RegistryHttp.Json(new { compatibilityLevel = name, compatibility = name });
    }
}
