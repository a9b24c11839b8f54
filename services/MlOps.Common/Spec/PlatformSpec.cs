namespace MlOps.Common.Spec;

/// <summary>
/// One use case's declarative spec as loaded from its YAML file. Immutable: a reload builds a new instance and
/// swaps it in whole, so a batch always sees one consistent version.
/// </summary>
/// <param name="Name">The <c>spec:</c> name, e.g. <c>flights</c>.</param>
/// <param name="Version">The <c>version:</c> the engineer bumps.</param>
/// <param name="Hash">SHA-256 of the file's bytes (hex), so an edit without a version bump is still visible.</param>
/// <param name="SourceFile">The file it was loaded from, for error messages and the info endpoint.</param>
/// <param name="Contracts">Data contracts by event type.</param>
/// <param name="FeatureViews">Feature views by name.</param>
public sealed record PlatformSpec(
    string Name,
    string Version,
    string Hash,
    string SourceFile,
    IReadOnlyDictionary<string, DataContract> Contracts,
    IReadOnlyDictionary<string, FeatureView> FeatureViews)
{
    /// <summary><c>name@version+hash12</c>: stamped on every output as <c>spec_version</c>.</summary>
    public string VersionTag => $"{Name}@{Version}+{Hash[..Math.Min(12, Hash.Length)]}";
}
