using MlOps.Models;
using MlOps.Training;

namespace MlOps.UnitTests.Training;

public sealed class FlightDelayTrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlops-train-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Training_writes_a_verified_onnx_and_manifest_that_learned_the_signal_and_is_reproducible()
    {
        var dataset = Synthetic(3000);

        var first = FlightDelayTrainer.Train(Request("a"), dataset);
        var second = FlightDelayTrainer.Train(Request("b"), dataset);

        var manifest = ModelManifest.Read(first.ManifestPath);
        Assert.Equal("flight-delay-test-1.onnx", manifest.Artifact);
        Assert.Equal(FlightFeatures.All.Select(f => f.Column), manifest.Inputs.Select(i => i.OnnxInput));
        Assert.All(manifest.Inputs, i => Assert.Equal([-1L, 1], i.Shape));
        Assert.Equal((2400.0, 600.0), (manifest.Metrics["train_rows"], manifest.Metrics["holdout_rows"]));
        Assert.InRange(manifest.Metrics["auc"], 0.75, 1); // late departures are delayed far more often
        Assert.InRange(manifest.Metrics["onnx_parity_max_abs_diff"], 0, TrainingRequest.MaxParityDiff);
        Assert.Equal(first.Manifest.Sha256, second.Manifest.Sha256);
        Assert.False(File.Exists(first.ArtifactPath + ".tmp"));
    }

    [Fact]
    public void A_holdout_with_one_class_fails_the_run_without_writing_an_artifact()
    {
        var dataset = Synthetic(500);
        var allOnTime = dataset with { Rows = dataset.Rows.Select(r => r with { ArrivalDelayMinutes = 0 }).ToList() };

        Assert.Throws<TrainingException>(() => FlightDelayTrainer.Train(Request("c"), allOnTime));
        Assert.False(File.Exists(Path.Combine(_dir, "c", "flight-delay-test-1.onnx")));
        Assert.False(File.Exists(Path.Combine(_dir, "c", ModelManifest.FileName("flight-delay-test", "1"))));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private TrainingRequest Request(string sub) => new(
        "synthetic.json", Path.Combine(Specs.Root, "infra", "examples", "flights", "spec.yaml"), Path.Combine(_dir, sub), "flight-delay-test", "1");

    /// <summary>Departures over three weeks where evening flights are mostly late and morning ones mostly not.</summary>
    private static FlightDataset Synthetic(int count)
    {
        var random = new Random(11);
        string[] airports = ["ORD", "ATL", "DFW", "SFO"];
        var start = new DateTime(2001, 2, 1);
        var flights = Enumerable.Range(0, count)
            .Select(i => start.AddMinutes(i * 21d * 24 * 60 / count))
            .Select((time, i) => new FlightRecord(
                i, time, random.NextDouble() < (time.Hour >= 17 ? 0.7 : 0.1) ? 60 : 0, random.Next(100, 2500), airports[i % airports.Length], "LAX"))
            .ToList();
        return new FlightDataset(flights, []);
    }
}
