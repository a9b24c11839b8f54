namespace MlOps.Training;

/// <summary>A training run that must not produce an artifact (bad data, an ONNX export that disagrees with ML.NET).</summary>
public sealed class TrainingException(string message) : Exception(message);
