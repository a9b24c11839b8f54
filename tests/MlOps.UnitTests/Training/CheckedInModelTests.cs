using MlOps.Models;
using MlOps.Training;

namespace MlOps.UnitTests.Training;

public sealed class CheckedInModelTests
{
    /// <summary>v1: the FastTree champion; v2: the logistic-regression challenger, same features and split.</summary>
    public static readonly TheoryData<string> Versions = ["1", "2"];

    private static string ManifestPath(string version) => Path.Combine(Specs.Root, "models", "flight-delay", ModelManifest.FileName("flight-delay", version));

    [Theory]
    [MemberData(nameof(Versions))]
    public void The_checked_in_flight_delay_model_loads_verified_and_scores_probabilities(string version)
    {
        var manifest = ModelManifest.Read(ManifestPath(version));
        var artifact = manifest.ArtifactPath(ManifestPath(version));

        using var model = OnnxModel.Load(manifest.ToModelVersion(artifact, "unit test"), artifact);
        // ORD at 18:00 on a Friday in March with busy traffic; an early short hop with no view values (defaults).
        FlightFeatureRow[] rows =
        [
            new() { Distance = 1744, DepHour = 18, DayOfWeek = 5, Month = 3, Departures1h = 12, Departures24h = 150, MeanDistance24h = 900 },
            new() { Distance = 250, DepHour = 6, DayOfWeek = 2, Month = 1 },
            new() { Distance = 2475, DepHour = 21, DayOfWeek = 7, Month = 2, Departures1h = 3, Departures24h = 40, MeanDistance24h = 1500 },
        ];
        var columns = manifest.Inputs.Select((_, f) => (Array)rows.Select(r => r.Values()[f]).ToArray()).ToList();

        var probabilities = model.Run(rows.Length, columns);

        Assert.Equal(rows.Length, probabilities.Length);
        Assert.All(probabilities, p => Assert.InRange(p, float.Epsilon, 1 - 1e-6f));
        Assert.Equal(FlightFeatures.All.Select(f => (f.Feature, f.Column)), manifest.Inputs.Select(i => (i.Feature, i.OnnxInput)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void The_checked_in_manifest_records_holdout_metrics_and_onnx_parity(string version)
    {
        var manifest = ModelManifest.Read(ManifestPath(version));

        foreach (var metric in new[] { "auc", "log_loss", "accuracy", "positive_rate", "train_rows", "holdout_rows", "onnx_parity_max_abs_diff" })
        {
            Assert.True(manifest.Metrics.ContainsKey(metric), $"missing metric {metric}");
        }
        Assert.InRange(manifest.Metrics["auc"], 0.5, 1);
        Assert.InRange(manifest.Metrics["onnx_parity_max_abs_diff"], 0, TrainingRequest.MaxParityDiff);
        Assert.Equal(OnnxModel.Sha256Of(manifest.ArtifactPath(ManifestPath(version))), manifest.Sha256);
        Assert.Equal(("flight-delay", version, $"flight-delay-{version}.onnx"), (manifest.Name, manifest.Version, manifest.Artifact));
    }

    [Fact]
    public void The_challenger_is_logistic_regression_on_the_champions_rows()
    {
        var champion = ModelManifest.Read(ManifestPath("1"));
        var challenger = ModelManifest.Read(ManifestPath("2"));

        Assert.EndsWith("; trainer = logistic (ML.NET L-BFGS logistic regression on min-max normalized features)", challenger.TrainingData);
        Assert.StartsWith(champion.TrainingData + ";", challenger.TrainingData); // same file, departures and split
        Assert.Equal(champion.Inputs.Select(i => (i.Feature, i.OnnxInput, i.Type)), challenger.Inputs.Select(i => (i.Feature, i.OnnxInput, i.Type)));
        Assert.Equal(champion.Outputs, challenger.Outputs);
    }
}
