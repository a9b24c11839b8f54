namespace MlOps.Training;

/// <summary>
/// What one training run reads and writes. <paramref name="Window"/> (null = <see cref="TrainingWindow.All"/>) picks the
/// departures and the holdout cut; <paramref name="MaxRows"/> then keeps the earliest N of them.
/// </summary>
public sealed record TrainingRequest(
    string DataPath,
    string SpecPath,
    string OutDirectory,
    string Name,
    string Version,
    int? MaxRows = null,
    int Seed = 1,
    double TrainFraction = 0.8,
    string DataSource = "vega-datasets@3.2.1",
    TrainerKind Trainer = TrainerKind.FastTree,
    TrainingWindow? Window = null)
{
    /// <summary>The largest |ML.NET − ONNX Runtime| probability on the holdout a run accepts.</summary>
    public const double MaxParityDiff = 1e-5;
}
