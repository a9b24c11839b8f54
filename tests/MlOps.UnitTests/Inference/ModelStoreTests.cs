using MlOps.Models;
using MlOps.UnitTests.Training;

namespace MlOps.UnitTests.Inference;

/// <summary>The model store with the checked-in flight-delay model: verified on the way in, immutable once there.</summary>
public sealed class ModelStoreTests : IDisposable
{
    private static readonly string ManifestPath = Path.Combine(Specs.Root, "models", "flight-delay", ModelManifest.FileName("flight-delay", "1"));
    private readonly string _dir = Directory.CreateTempSubdirectory("mlops-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_verified_artifact_is_copied_under_name_and_version_and_registering_it_again_is_a_no_op()
    {
        var store = new ModelStore(Path.Combine(_dir, "registry"));

        var version = store.Put(ManifestPath, "tester");
        var again = store.Put(ManifestPath, "tester");

        Assert.Equal("flight-delay/1/flight-delay-1.onnx", version.artifact_uri);
        Assert.Equal(again.artifact_uri, version.artifact_uri);
        var stored = Path.Combine(store.Directory, version.artifact_uri);
        Assert.Equal(version.artifact_sha256, OnnxModel.Sha256Of(stored));
        Assert.Equal(["flight-delay-1.onnx"], Directory.GetFiles(Path.GetDirectoryName(stored)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Another_artifact_under_a_registered_version_is_refused()
    {
        var store = new ModelStore(Path.Combine(_dir, "registry"));
        var version = store.Put(ManifestPath, "tester");
        // A retrained artifact (other bytes, its own correct hash) claiming the same name and version.
        var stored = Path.Combine(store.Directory, version.artifact_uri);
        File.AppendAllText(stored, "tampered");

        var ex = Assert.Throws<ModelLoadException>(() => store.Put(ManifestPath, "tester"));

        Assert.Equal(ModelLoadException.VersionExists, ex.Reason);
        Assert.Contains("flight-delay:1 is already registered with another artifact", ex.Message);
    }

    [Fact]
    public void An_artifact_that_does_not_match_its_manifest_hash_is_refused_and_not_stored()
    {
        var copy = Path.Combine(_dir, "flight-delay-1.onnx");
        File.Copy(Path.Combine(Path.GetDirectoryName(ManifestPath)!, "flight-delay-1.onnx"), copy);
        File.AppendAllBytes(copy, [0]);
        var manifest = Path.Combine(_dir, ModelManifest.FileName("flight-delay", "1"));
        File.Copy(ManifestPath, manifest);
        var store = new ModelStore(Path.Combine(_dir, "registry"));

        var ex = Assert.Throws<ModelLoadException>(() => store.Put(manifest, "tester"));

        Assert.Equal(ModelLoadException.HashMismatch, ex.Reason);
        Assert.False(Directory.Exists(store.Directory), "nothing was stored");
    }
}
