namespace MlOps.Contracts;

/// <summary>
/// The registry key <c>name:version</c>: mlops.models keys model versions by it and mlops.rules rule sets. Inference
/// loads models and rule sets by it, Rollout matches predictions and arms to a candidate by it, and both print it; it
/// is spelled out here once so that they agree.
/// </summary>
public static class RegistryKey
{
    public static string Of(string name, string version) => $"{name}:{version}";
}

// The contracts below are generated (Generated/, replaced wholesale by MlOps.Contracts.Codegen) and partial; these
// members are hand-written beside them. ModelKey and Key are not Avro fields, so the schema-driven Get/Put never see them.

public partial class ModelVersion
{
    /// <summary>The registry key <c>name:version</c>, as mlops.models is keyed.</summary>
    public string ModelKey => RegistryKey.Of(model_name, version);
}

public partial class DeploymentArm
{
    /// <summary>The registry key <c>name:version</c> of the arm's model, as mlops.models is keyed.</summary>
    public string ModelKey => RegistryKey.Of(model_name, model_version);
}

public partial class Prediction
{
    /// <summary>The registry key <c>name:version</c> of the prediction's model, as mlops.models is keyed.</summary>
    public string ModelKey => RegistryKey.Of(model_name, model_version);
}

public partial class RuleSet
{
    /// <summary>The registry key <c>name:version</c>, as mlops.rules is keyed and deployments name their output rules.</summary>
    public string Key => RegistryKey.Of(name, version);
}
