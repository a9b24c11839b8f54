using System.Security.Cryptography;
using MlOps.Models;
using static MlOps.UnitTests.Inference.SignatureCheckTests;

namespace MlOps.UnitTests.Inference;

/// <summary>What a model version's artifact must pass before a session is created from it.</summary>
public sealed class ModelVerificationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlops-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_artifact_whose_hash_differs_from_the_registered_one_is_refused_before_it_is_parsed()
    {
        var path = Path.Combine(_dir, "m.onnx");
        File.WriteAllBytes(path, [1, 2, 3]);
        var version = Version(Input("event.distance", "distance"));

        var ex = Assert.Throws<ModelLoadException>(() => OnnxModel.Load(version, path));

        Assert.Equal(ModelLoadException.HashMismatch, ex.Reason);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(new byte[] { 1, 2, 3 })), ex.Message);
        Assert.Contains(new string('0', 64), ex.Message);
    }

    [Fact]
    public void Bytes_that_match_their_hash_but_are_not_onnx_are_refused_as_invalid()
    {
        var path = Path.Combine(_dir, "garbage.onnx");
        var bytes = "this is not a protobuf model"u8.ToArray();
        File.WriteAllBytes(path, bytes);
        var version = Version(Input("event.distance", "distance"));
        version.artifact_sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var ex = Assert.Throws<ModelLoadException>(() => OnnxModel.Load(version, path));

        Assert.Equal(ModelLoadException.InvalidOnnx, ex.Reason);
        Assert.Contains("delay:1", ex.Message);
    }

    [Fact]
    public void A_missing_artifact_is_refused_naming_the_path()
    {
        var path = Path.Combine(_dir, "absent.onnx");

        var ex = Assert.Throws<ModelLoadException>(() => OnnxModel.Load(Version(Input("event.distance", "distance")), path));

        Assert.Equal(ModelLoadException.ArtifactMissing, ex.Reason);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void The_file_hash_is_lowercase_hex_sha256()
    {
        var path = Path.Combine(_dir, "h.bin");
        File.WriteAllText(path, "abc");

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", OnnxModel.Sha256Of(path));
    }
}
