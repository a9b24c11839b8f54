namespace MlOps.Models;

/// <summary>Why a model version could not be loaded; <see cref="Reason"/> is a bounded metric label.</summary>
public sealed class ModelLoadException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public const string ArtifactMissing = "artifact_missing";
    public const string HashMismatch = "sha256_mismatch";
    public const string InvalidOnnx = "invalid_onnx";
    public const string SignatureMismatch = "signature_mismatch";
    public const string VersionExists = "version_exists";
    public const string WarmUpFailed = "warmup_failed";

    public string Reason { get; } = reason;
}
