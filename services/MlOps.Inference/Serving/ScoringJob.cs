using MlOps.Common.Features;

namespace MlOps.Inference.Serving;

/// <summary>
/// One (request, arm) pair being scored: the model trying it now (the arm's, then each fallback's), the row
/// assembled for that model, the score once one is served, and the first failure (what the prediction reports).
/// </summary>
internal sealed class ScoringJob(int request, DeploymentRoute route, string arm, bool Shadow, int bucket, ModelHandle model)
{
    public int Request { get; } = request;

    public DeploymentRoute Route { get; } = route;

    public string Arm { get; } = arm;

    public bool Shadow { get; } = Shadow;

    public int Bucket { get; } = bucket;

    public ModelHandle Model { get; private set; } = model;

    /// <summary>0 for the arm's own model, n for the n-th fallback.</summary>
    public int Level { get; private set; }

    public AssembledRow Row { get; private set; } = new();

    public float? Probability { get; set; }

    /// <summary>Model time this row took part in, over every attempt.</summary>
    public double ModelSeconds { get; set; }

    /// <summary>Why the arm's own model did not serve (null when it did).</summary>
    public ScoringFailure? FirstFailure { get; private set; }

    /// <summary>Why the current attempt cannot run (its row is not scorable), or null.</summary>
    public ScoringFailure? RetryFailure { get; private set; }

    /// <summary>The failure of the current attempt, if any: set while assembling or by the run.</summary>
    public ScoringFailure? Failure => Level == 0 ? FirstFailure : RetryFailure;

    public void Assemble(IReadOnlyDictionary<string, object?> attributes, Dictionary<string, FeatureVector> vectors)
    {
        Row = ModelInputs.Assemble(Model.Model.Inputs, attributes, view => vectors.GetValueOrDefault(view));
        if (Row.Unscorable is { } reason)
        {
            Fail(new ScoringFailure(ScoringFailure.MissingRequiredFeature, $"{Model.Model.Key}: {reason}"));
        }
    }

    /// <summary>Moves to the next model of the fallback chain. The row becomes that model's only if it can be scored.</summary>
    public void Retry(ModelHandle fallback, IReadOnlyDictionary<string, object?> attributes, Dictionary<string, FeatureVector> vectors)
    {
        Level++;
        Model = fallback;
        RetryFailure = null;
        var row = ModelInputs.Assemble(fallback.Model.Inputs, attributes, view => vectors.GetValueOrDefault(view));
        if (row.Unscorable is { } reason)
        {
            RetryFailure = new ScoringFailure(ScoringFailure.MissingRequiredFeature, $"{fallback.Model.Key}: {reason}");
            return;
        }
        Row = row;
    }

    public void Fail(ScoringFailure failure)
    {
        FirstFailure ??= failure;
        if (Level > 0)
        {
            RetryFailure = failure;
        }
    }
}
