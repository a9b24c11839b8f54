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
        Assert.EndsWith("; trainer = fasttree (ML.NET FastTree: 50 trees, 16 leaves, learning rate 0.2)", manifest.TrainingData);
        Assert.Equal(first.Manifest.Sha256, second.Manifest.Sha256);
        Assert.False(File.Exists(first.ArtifactPath + ".tmp"));
    }

    [Fact]
    public void Logistic_regression_exports_the_same_signature_with_onnx_parity_and_records_its_trainer()
    {
        var dataset = Synthetic(3000);

        var first = FlightDelayTrainer.Train(Request("l1") with { Trainer = TrainerKind.Logistic }, dataset);
        var second = FlightDelayTrainer.Train(Request("l2") with { Trainer = TrainerKind.Logistic }, dataset);

        var manifest = ModelManifest.Read(first.ManifestPath);
        Assert.Equal(FlightFeatures.All.Select(f => f.Column), manifest.Inputs.Select(i => i.OnnxInput));
        Assert.Equal(("Probability.output", "PredictedLabel.output"), (manifest.Outputs.Probability, manifest.Outputs.Label));
        Assert.Equal((2400.0, 600.0), (manifest.Metrics["train_rows"], manifest.Metrics["holdout_rows"]));
        Assert.InRange(manifest.Metrics["auc"], 0.75, 1); // dep_hour alone separates evening from morning
        Assert.InRange(manifest.Metrics["onnx_parity_max_abs_diff"], 0, 1e-5);
        Assert.EndsWith("; trainer = logistic (ML.NET L-BFGS logistic regression on min-max normalized features)", manifest.TrainingData);
        Assert.Equal(first.Manifest.Sha256, second.Manifest.Sha256);
        Assert.NotEqual(FlightDelayTrainer.Train(Request("f"), dataset).Manifest.Sha256, first.Manifest.Sha256);
    }

    [Fact]
    public void A_window_trains_on_its_departures_before_the_cut_and_holds_out_the_rest()
    {
        var dataset = Synthetic(3000);
        var window = new TrainingWindow(new DateTime(2001, 2, 5), new DateTime(2001, 2, 15), HoldoutFrom: new DateTime(2001, 2, 12));
        var inWindow = dataset.Rows.Where(r => r.Departure >= window.From && r.Departure < window.To).ToList();

        var report = FlightDelayTrainer.Train(Request("w") with { Window = window }, dataset);

        Assert.Equal(
            (inWindow.Count(r => r.Departure < window.HoldoutFrom), inWindow.Count(r => r.Departure >= window.HoldoutFrom)),
            ((int)report.Manifest.Metrics["train_rows"], (int)report.Manifest.Metrics["holdout_rows"]));
        Assert.Contains(" in --from 2001-02-05T00:00 --to 2001-02-15T00:00 ", report.Manifest.TrainingData);
        Assert.Contains("; train = 1000 before --holdout-from 2001-02-12T00:00, holdout = 428 from it;", report.Manifest.TrainingData);
    }

    [Fact]
    public void Rows_keeps_the_earliest_departures_of_the_window()
    {
        var dataset = Synthetic(3000);

        var report = FlightDelayTrainer.Train(Request("r") with { Window = new TrainingWindow(From: new DateTime(2001, 2, 8)), MaxRows = 1000 }, dataset);

        Assert.Equal((800.0, 200.0), (report.Manifest.Metrics["train_rows"], report.Manifest.Metrics["holdout_rows"]));
        Assert.Contains(": 1000 departures 2001-02-08 00:00 .. ", report.Manifest.TrainingData);
    }

    [Theory]
    [InlineData("2001-03-01", null, null, "no usable departures in --from 2001-03-01T00:00 --to (end) (the file's usable departures cover 2001-02-01 00:00 .. 2001-02-21 23:49)")]
    [InlineData(null, null, "2001-03-01", "--holdout-from 2001-03-01T00:00 is outside the departures used (2001-02-01 00:00 .. 2001-02-21 23:49): 3000 before it, 0 from it")]
    [InlineData("2001-02-10", null, "2001-02-05", "--holdout-from 2001-02-05T00:00 is not after --from 2001-02-10T00:00: nothing would be left to train on")]
    public void A_window_without_departures_or_with_the_cut_outside_them_fails_the_run_naming_the_option(string? from, string? to, string? holdoutFrom, string error)
    {
        var window = new TrainingWindow(Time(from), Time(to), Time(holdoutFrom));

        var ex = Assert.Throws<TrainingException>(() => FlightDelayTrainer.Train(Request("e") with { Window = window }, Synthetic(3000)));

        Assert.Equal(error, ex.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "e")));
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

    private static DateTime? Time(string? text) => text is null ? null : DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

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
