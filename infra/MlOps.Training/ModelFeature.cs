namespace MlOps.Training;

/// <summary>One model input: the feature the online system serves, the ONNX input it feeds and the value used when it is missing.</summary>
public sealed record ModelFeature(string Feature, double Default)
{
    /// <summary>The ML.NET column, and so the ONNX graph input: the feature name with '.' replaced by '_'.</summary>
    public string Column => Feature.Replace('.', '_');
}
