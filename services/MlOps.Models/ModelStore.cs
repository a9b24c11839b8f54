using MlOps.Contracts;

namespace MlOps.Models;

/// <summary>
/// The artifact directory of the embedded default (a bucket or shared volume in production): one directory per model
/// and version, <c>&lt;name&gt;/&lt;version&gt;/&lt;file&gt;</c>. A registered version is immutable: putting a
/// different artifact under the same name and version is refused, putting the same one again is a no-op.
/// </summary>
public sealed class ModelStore(string directory)
{
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>
    /// Verifies the manifest's artifact (SHA-256, ONNX parse, signature against the graph — the checks the serving
    /// side repeats), copies it into the store and returns the registry record, whose artifact_uri is relative to the
    /// store. Throws <see cref="ModelManifestException"/> or <see cref="ModelLoadException"/> naming the problem.
    /// </summary>
    public ModelVersion Put(string manifestPath, string createdBy)
    {
        var manifest = ModelManifest.Read(manifestPath);
        var source = manifest.ArtifactPath(manifestPath);
        var relative = Path.Combine(manifest.Name, manifest.Version, Path.GetFileName(source)).Replace('\\', '/');
        var version = manifest.ToModelVersion(relative, createdBy);
        using (OnnxModel.Load(version, source))
        {
        }

        var target = Path.Combine(Directory, relative);
        if (File.Exists(target))
        {
            var stored = OnnxModel.Sha256Of(target);
            if (!string.Equals(stored, version.artifact_sha256, StringComparison.Ordinal))
            {
                throw new ModelLoadException(ModelLoadException.VersionExists,
                    $"{OnnxModel.KeyOf(version)} is already registered with another artifact (sha256 {stored}); " +
                    "versions are immutable, register this one under a new version");
            }
            return version;
        }
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // Copy then rename, so a reader never sees a half-written artifact under the final name.
        var partial = target + ".partial";
        File.Copy(source, partial, overwrite: true);
        File.Move(partial, target);
        return version;
    }
}
