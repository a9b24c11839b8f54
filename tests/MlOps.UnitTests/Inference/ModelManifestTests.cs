using System.Text.Json;
using MlOps.Models;

namespace MlOps.UnitTests.Inference;

public sealed class ModelManifestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlops-manifest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ModelManifest Valid() => new()
    {
        Name = "flight-delay",
        Version = "1",
        Artifact = "flight-delay-1.onnx",
        Sha256 = new string('a', 64),
        Inputs =
        [
            new ManifestInput { Feature = "event.distance", OnnxInput = "distance" },
            new ManifestInput { Feature = "origin_traffic.departures_1h", OnnxInput = "departures", Default = ManifestInput.Number(0) },
        ],
        Outputs = new ManifestOutputs { Probability = "Probability.output", Label = "PredictedLabel.output" },
        TrainingData = "vega-datasets@3.2.1 data/flights-200k.json",
        Metrics = new Dictionary<string, double> { ["auc"] = 0.71 },
        CreatedAt = new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void A_written_manifest_reads_back_and_maps_to_the_registry_record()
    {
        var path = Path.Combine(_dir, ModelManifest.FileName("flight-delay", "1"));
        Valid().Write(path);

        var manifest = ModelManifest.Read(path);
        var version = manifest.ToModelVersion("flight-delay/1/flight-delay-1.onnx", "tester");

        Assert.Equal(Path.Combine(_dir, "flight-delay-1.onnx"), manifest.ArtifactPath(path));
        Assert.Equal("flight-delay", version.model_name);
        Assert.Equal("1", version.version);
        Assert.Equal("flight-delay/1/flight-delay-1.onnx", version.artifact_uri);
        Assert.Null(version.inputs[0].default_value);
        Assert.Equal(0.0, version.inputs[1].default_value);
        Assert.Equal([-1L, 1L], version.inputs[1].shape);
        Assert.Equal("Probability.output", version.probability_output);
        Assert.Equal("PredictedLabel.output", version.label_output);
        Assert.Equal(0.71, version.training_metrics["auc"]);
        Assert.Equal(new DateTime(2026, 11, 29, 3, 0, 0, DateTimeKind.Utc), version.created_at);
    }

    [Fact]
    public void Every_problem_of_a_manifest_is_named_with_its_field()
    {
        var path = Path.Combine(_dir, "bad.model.json");
        (Valid() with
        {
            Name = "flight delay",
            Format = "pickle",
            Sha256 = "xyz",
            Inputs = [new ManifestInput { Feature = "", OnnxInput = "d", Default = JsonSerializer.SerializeToElement(new[] { 1 }) }],
            Outputs = new ManifestOutputs(),
        }).Write(path);

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifest.Read(path));

        Assert.Equal(
            [
                "name: 'flight delay' must be 1-64 characters of letters, digits, '-', '_' or '.'",
                "format: 'pickle' is not supported (only 'onnx')",
                "sha256: 'xyz' is not 64 hex digits",
                "inputs[0].feature: missing",
                "inputs[0].default: must be a number, a string or null, not Array",
                "outputs.probability: missing",
            ],
            ex.ManifestProblems);
        Assert.StartsWith(path, ex.Message);
    }

    [Fact]
    public void Malformed_json_is_refused_with_its_location()
    {
        var path = Path.Combine(_dir, "broken.model.json");
        File.WriteAllText(path, "{\n  \"name\": \"x\",\n  \"inputs\": 3\n}");

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifest.Read(path));

        Assert.Contains("$.inputs (line 3)", ex.Message);
    }
}
