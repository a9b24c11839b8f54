namespace MlOps.Models;

/// <summary>Why a model version could not be loaded; <see cref="Reason"/> is a bounded metric label.</summary>
public sealed class ModelLoadException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public const string ArtifactMissing = "artifact_missing";

    /// <summary>The registered artifact_uri is not a usable path (malformed file:// URI, NUL or other invalid characters).</summary>
    public const string ArtifactUriInvalid = "artifact_uri_invalid";
    public const string HashMismatch = "sha256_mismatch";
    public const string InvalidOnnx = "invalid_onnx";
    public const string SignatureMismatch = "signature_mismatch";
    public const string VersionExists = "version_exists";
    public const string WarmUpFailed = "warmup_failed";

    /// <summary>Loading failed in a way none of the reasons above describes (the exception's type and message say how).</summary>
    public const string LoadFailed = "load_failed";

    public string Reason { get; } = reason;
}
