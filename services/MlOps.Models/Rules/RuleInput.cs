namespace MlOps.Models.Rules;

/// <summary>What output rules may look at besides the probability.</summary>
/// <param name="Inputs">By name: <c>event.&lt;attribute&gt;</c> and served features <c>&lt;view&gt;.&lt;feature&gt;</c>.</param>
public sealed record RuleInput(string TenantId, string EntityId, IReadOnlyDictionary<string, object?> Inputs);
