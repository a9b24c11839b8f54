using MlOps.Models;

namespace MlOps.Inference.Serving;

/// <summary>
/// A loaded model shared by the serving snapshots that route to it. Each snapshot holds one reference; the session
/// is disposed when the last snapshot using it is released, so a hot swap never disposes a model mid-run.
/// </summary>
public sealed class ModelHandle(OnnxModel model)
{
    private int _references = 1;

    public OnnxModel Model { get; } = model;

    /// <summary>The views this model reads, once per load.</summary>
    public IReadOnlyList<string> Views { get; } = model.Inputs
        .Select(i => FeatureName.TryParse(i.feature, out var name) ? name.View : null)
        .OfType<string>()
        .Distinct(StringComparer.Ordinal)
        .ToArray();

    internal ModelHandle AddReference()
    {
        Interlocked.Increment(ref _references);
        return this;
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Model.Dispose();
            InferenceMetrics.ModelsLoaded.Dec();
        }
    }
}
