using MlOps.Common.Features;

namespace MlOps.Inference.Serving;

/// <summary>
/// One (request, arm) pair being scored: the model trying it now (the arm's, then each fallback's), the row
/// assembled for that model, the score once one is served, and every failure on the way (what the prediction reports).
/// </summary>
internal sealed class ScoringJob(int request, DeploymentRoute route, string arm, bool Shadow, int bucket, ModelHandle model)
{
    private readonly List<(int Level, string Model, ScoringFailure Failure)> _failures = [];

    public int Request { get; } = request;

    public DeploymentRoute Route { get; } = route;

    public string Arm { get; } = arm;

    public bool Shadow { get; } = Shadow;

    public int Bucket { get; } = bucket;

    /// <summary>The routed arm's own model (what an unscored prediction names: nothing else tried served it).</summary>
    public ModelHandle ArmModel { get; } = model;

    public ModelHandle Model { get; private set; } = model;

    /// <summary>0 for the arm's own model, n for the n-th fallback.</summary>
    public int Level { get; private set; }

    /// <summary>The row assembled for <see cref="Model"/> (unscorable when <see cref="Failure"/> says so).</summary>
    public AssembledRow Row { get; private set; } = new();

    public float? Probability { get; set; }

    /// <summary>Model time this row took part in, over every attempt.</summary>
    public double ModelSeconds { get; set; }

    /// <summary>Why the arm's own model did not serve (null when it did).</summary>
    public ScoringFailure? FirstFailure => _failures.Count > 0 && _failures[0].Level == 0 ? _failures[0].Failure : null;

    /// <summary>The failure of the current attempt, if any: set while assembling or by the run.</summary>
    public ScoringFailure? Failure => Level == 0 ? FirstFailure
        : _failures is [.., var last] && last.Level == Level ? last.Failure : null;

    /// <summary>
    /// Every failure of the chain, in order: the arm's own model's as it is ("timeout: …"), each fallback's after the
    /// model it befell ("fallback flight-delay:1: missing_required_feature: …"); null when nothing failed.
    /// </summary>
    public string? FailureChain => _failures.Count == 0 ? null
        : string.Join("; ", _failures.Select(f => f.Level == 0 ? f.Failure.ToString() : $"fallback {f.Model}: {f.Failure}"));

    public void Assemble(IReadOnlyDictionary<string, object?> attributes, Dictionary<string, FeatureVector> vectors)
    {
        Row = ModelInputs.Assemble(Model.Model.Inputs, attributes, view => vectors.GetValueOrDefault(view));
        if (Row.Unscorable is { } reason)
        {
            Fail(new ScoringFailure(ScoringFailure.MissingRequiredFeature, $"{Model.Model.Key}: {reason}"));
        }
    }

    /// <summary>Moves to the next model of the fallback chain, with the row assembled for it.</summary>
    public void Retry(ModelHandle fallback, IReadOnlyDictionary<string, object?> attributes, Dictionary<string, FeatureVector> vectors)
    {
        Level++;
        Model = fallback;
        Row = ModelInputs.Assemble(fallback.Model.Inputs, attributes, view => vectors.GetValueOrDefault(view));
        if (Row.Unscorable is { } reason)
        {
            Fail(new ScoringFailure(ScoringFailure.MissingRequiredFeature, $"{fallback.Model.Key}: {reason}"));
        }
    }

    public void Fail(ScoringFailure failure) => _failures.Add((Level, Model.Model.Key, failure));
}
