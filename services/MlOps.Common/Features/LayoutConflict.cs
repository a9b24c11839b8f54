using MlOps.Common.Spec;

namespace MlOps.Common.Features;

/// <summary>A view whose storage layout is not the one Redis holds its <c>name@version</c>'s data in.</summary>
public sealed record LayoutConflict(FeatureView View, StorageLayout Held, StorageLayout Current)
{
    public string Message =>
        $"feature view {View.Name} version {View.Version} changed its storage layout ({string.Join("; ", Current.ChangesFrom(Held))}) "
        + "but not its version; Redis holds data in the old layout; give it a new version";

    /// <summary>The refusal as a spec error at the view's <c>version</c>, which is what must change.</summary>
    public SpecError ToError(string file) => new(file, View.VersionAt.Line, View.VersionAt.Column, $"features.{View.Name}.version", Message);
}
