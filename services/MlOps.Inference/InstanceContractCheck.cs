using System.Collections.Frozen;
using MlOps.Common.Http;
using MlOps.Common.Spec;
using MlOps.Common.Validation;

namespace MlOps.Inference;

/// <summary>
/// The data-contract check of <c>POST /v1/predict</c>: every attribute value an instance carries must meet its event
/// type's contract, by the validator Ingestion uses. A value of the wrong type would otherwise be served as the
/// model's default, and one out of the contract's range or categories scored as if it were data, both with a 200.
/// Only rules on values that are present apply: a missing attribute is served its default and named in
/// <c>missing_features</c>, an unknown event type is answered per instance, and the envelope's limits (event_id,
/// event time, size) concern ingestion, not a synchronous score.
/// </summary>
public static class InstanceContractCheck
{
    private static readonly FrozenSet<string> ValueRules = new[]
    {
        RuleCodes.Type, RuleCodes.Min, RuleCodes.Max, RuleCodes.AllowedValues, RuleCodes.Pattern, RuleCodes.MaxLength,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>One problem per broken rule, at <c>{instance}/attributes/{attribute}</c>; empty when every instance passes.</summary>
    public static IReadOnlyList<JsonProblem> Problems(IReadOnlyList<ParsedEvent> instances, PlatformSpec spec, DateTime utcNow)
    {
        var problems = new List<JsonProblem>();
        foreach (var instance in instances)
        {
            var e = instance.Envelope;
            if (!spec.Contracts.ContainsKey(e.event_type ?? ""))
            {
                continue;
            }
            foreach (var violation in EventValidator.Validate(EventCandidate.Of(e, instance.RawJson.Length), spec, utcNow))
            {
                if (ValueRules.Contains(violation.Rule) && violation.Attribute is { } attribute)
                {
                    problems.Add(new JsonProblem($"{instance.Pointer}/attributes/{attribute}", $"{violation.Rule}: {violation.Message}"));
                }
            }
        }
        return problems;
    }
}
