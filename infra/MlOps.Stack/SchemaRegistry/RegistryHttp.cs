using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>Request parsing and response writing shared by the registry's endpoints.</summary>
internal static class RegistryHttp
{
    public const string ContentType = "application/vnd.schemaregistry.v1+json";

    // Relaxed escaping keeps schema text readable in curl output ("\"type\"" instead of "\u0022type\u0022").
    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IResult Json<T>(T value, int statusCode = StatusCodes.Status200OK) =>
        Results.Text(JsonSerializer.Serialize(value, WriteOptions), ContentType, statusCode: statusCode);

    public static IResult Error(SchemaRegistryException error) =>
        Json(new { error_code = error.ErrorCode, message = error.Message }, error.StatusCode);

    public static object Version(SubjectVersion v) => new { subject = v.Subject, version = v.Version, id = v.Id, schema = v.Schema };

    /// <summary>"latest" and -1 mean the newest version (null); anything else must be a positive version number.</summary>
    public static int? ParseVersion(string version)
    {
        if (string.Equals(version, "latest", StringComparison.OrdinalIgnoreCase) || version == "-1")
        {
            return null;
        }

        return int.TryParse(version, out var number) && number > 0
            ? number
            : throw SchemaRegistryException.InvalidVersion(version);
    }

    /// <summary>
    /// Reads <c>{"schema": "...", "schemaType"?: "AVRO", "references"?: []}</c>. The Content-Type is not checked:
    /// clients send application/json, application/vnd.schemaregistry.v1+json or application/vnd.schemaregistry+json.
    /// </summary>
    public static async Task<SchemaRequest> ReadSchemaRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(request, cancellationToken);
        if (body["references"] is JsonArray { Count: > 0 })
        {
            throw SchemaRegistryException.InvalidSchema("schema references are not supported by this registry");
        }

        return new SchemaRequest(StringProperty(body, "schema"), StringProperty(body, "schemaType"));
    }

    /// <summary>Reads <c>{"compatibility": "BACKWARD"}</c> (or "compatibilityLevel") into a level, or answers 42203.</summary>
    public static async Task<CompatibilityLevel> ReadCompatibilityAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(request, cancellationToken);
        var name = StringProperty(body, "compatibility") ?? StringProperty(body, "compatibilityLevel");
        return CompatibilityLevelNames.TryParse(name, out var level)
            ? level
            : throw SchemaRegistryException.InvalidCompatibilityLevel(name);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken) as JsonObject
                ?? throw new SchemaRegistryException(400, 400, "The request body must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new SchemaRegistryException(400, 400, $"Unparsable JSON request body: {ex.Message}");
        }
    }

    private static string? StringProperty(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
