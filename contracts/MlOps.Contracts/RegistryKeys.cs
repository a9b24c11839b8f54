namespace MlOps.Contracts;

/// <summary>
/// The registry key <c>name:version</c>, as mlops.models is keyed (mlops.rules keys rule sets the same way:
/// <see cref="RuleSet.Key"/>). Inference loads models by it, Rollout matches predictions and arms to a candidate by it,
/// and both print it; it is spelled out here once so that they agree.
/// </summary>
public static class ModelKey
{
    /// <summary>The registry key <c>name:version</c>, as mlops.models is keyed.</summary>
    public static string Of(string name, string version) => $"{name}:{version}";
}

// The contracts below are generated (Generated/, replaced wholesale by MlOps.Contracts.Codegen) and partial; these
// members are hand-written beside them. ModelKey is not an Avro field, so the schema-driven Get/Put never see it.

public partial class ModelVersion
{
    /// <summary>The registry key <c>name:version</c>, as mlops.models is keyed.</summary>
    public string ModelKey => Contracts.ModelKey.Of(model_name, version);
}

public partial class DeploymentArm
{
    /// <summary>The registry key <c>name:version</c> of the arm's model, as mlops.models is keyed.</summary>
    public string ModelKey => Contracts.ModelKey.Of(model_name, model_version);
}

public partial class Prediction
{
    /// <summary>The registry key <c>name:version</c> of the prediction's model_name and model_version, as mlops.models is keyed.</summary>
    public string ModelKey => Contracts.ModelKey.Of(model_name, model_version);
}

public partial class RuleSet
{
    /// <summary>The registry key <c>name:version</c>, as mlops.rules is keyed and deployments name their output rules.</summary>
    public string Key => $"{name}:{version}";
}
