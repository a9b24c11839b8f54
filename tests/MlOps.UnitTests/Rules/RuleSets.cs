using MlOps.Contracts;
using MlOps.Models.Rules;

namespace MlOps.UnitTests.Rules;

/// <summary>Builders for rule sets in tests.</summary>
internal static class RuleSets
{
    public static RuleSet Of(params OutputRule[] rules) => new()
    {
        name = "delay-rules",
        version = "2",
        rules = rules.ToList(),
        created_at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
    };

    public static OutputRule Rule(string name, string kind) => new() { name = name, kind = kind };

    public static RuleInput Input(string tenant = "t", string entity = "e", params (string Name, object? Value)[] inputs) =>
        new(tenant, entity, inputs.ToDictionary(i => i.Name, i => i.Value));
}
