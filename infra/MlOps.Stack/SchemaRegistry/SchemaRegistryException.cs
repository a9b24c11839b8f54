namespace MlOps.Stack.SchemaRegistry;

/// <summary>
/// A failure the registry reports to clients. Carries Confluent's HTTP status and error_code because
/// Confluent's client turns exactly those into a SchemaRegistryException on its side.
/// </summary>
public sealed class SchemaRegistryException : Exception
{
    public SchemaRegistryException(int statusCode, int errorCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    public SchemaRegistryException()
        : this(500, 50001, "Internal schema registry error")
    {
    }

    public SchemaRegistryException(string message)
        : this(500, 50001, message)
    {
    }

    public SchemaRegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 500;
        ErrorCode = 50001;
    }

    public int StatusCode { get; }

    public int ErrorCode { get; }

    public static SchemaRegistryException SubjectNotFound(string subject) =>
        new(404, 40401, $"Subject '{subject}' not found.");

    public static SchemaRegistryException VersionNotFound(string subject, int version) =>
        new(404, 40402, $"Version {version} not found for subject '{subject}'.");

    public static SchemaRegistryException SchemaNotFound() => new(404, 40403, "Schema not found");

    public static SchemaRegistryException SubjectConfigNotFound(string subject) =>
        new(404, 40408, $"Subject '{subject}' does not have subject-level compatibility configured");

    public static SchemaRegistryException InvalidSchema(string detail) =>
        new(422, 42201, $"Invalid schema: {detail}");

    public static SchemaRegistryException InvalidVersion(string version) =>
        new(422, 42202, $"The specified version '{version}' is not a valid version id. "
            + "Allowed values are between [1, 2^31-1] and the string \"latest\"");

    public static SchemaRegistryException InvalidCompatibilityLevel(string? level) =>
        new(422, 42203, $"Invalid compatibility level '{level}'. Valid values are NONE, BACKWARD, "
            + "BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE");

    public static SchemaRegistryException Incompatible(string subject, IEnumerable<string> reasons) =>
        new(409, 409, $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", "
            + $"details: [{string.Join(", ", reasons)}]");
}
