using System.ComponentModel.DataAnnotations;

namespace MlOps.Common.SchemaRegistry;

/// <summary>Schema registry settings, bound from <c>SchemaRegistry</c> (or <c>SCHEMA_REGISTRY_URL</c>).</summary>
public sealed class SchemaRegistryOptions
{
    public const string Section = "SchemaRegistry";

    [Required(ErrorMessage = "SchemaRegistry:Url (or SCHEMA_REGISTRY_URL) is required, e.g. 'http://localhost:8081'.")]
    [Url(ErrorMessage = "SchemaRegistry:Url must be an absolute http(s) URL.")]
    public string Url { get; set; } = "";

    /// <summary><c>user:password</c> for registries behind basic auth (the Helm chart fills it from a Secret); empty = none.</summary>
    public string BasicAuthUserInfo { get; set; } = "";

    /// <summary>Largest Avro payload (bytes, after the 5-byte Confluent header) any consumer will decode.</summary>
    [Range(64, 64 * 1024 * 1024, ErrorMessage = "SchemaRegistry:MaxPayloadBytes must be between 64 and 67108864.")]
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;
}
