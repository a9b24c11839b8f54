using System.Text.Json.Nodes;
using Avro;
using MlOps.Contracts;
using MlOps.Stack.SchemaRegistry;

namespace MlOps.UnitTests.Contracts;

/// <summary>
/// Fields added to the rollout contracts since they were first published (what makes a rule set a rollout candidate,
/// the rollout identity on events, a deployment revision's change_reason) are additions with defaults: data written
/// by the previous schemas still reads, and old readers skip them.
/// </summary>
public sealed class RuleRolloutContractTests
{
    public static TheoryData<string, string> Additions => new()
    {
        { "Deployment", "DeploymentArm.output_rules" },
        { "Rollout", "Rollout.candidate_rules" },
        { "RolloutEvent", "RolloutEvent.candidate_rules" },
        { "RolloutEvent", "RolloutEvent.rollout_created_at" },
        { "Deployment", "Deployment.change_reason" },
    };

    [Theory]
    [MemberData(nameof(Additions))]
    public void The_new_field_is_fully_compatible_with_the_schema_before_it(string record, string field)
    {
        var current = record switch
        {
            "Deployment" => Deployment._SCHEMA,
            "Rollout" => MlOps.Contracts.Rollout._SCHEMA,
            _ => RolloutEvent._SCHEMA,
        };
        var (owner, name) = (field.Split('.')[0], field.Split('.')[1]);
        var json = JsonNode.Parse(current.ToString())!;
        Assert.True(Remove(json, owner, name), $"{field} is not in the {record} schema");
        var previous = Schema.Parse(json.ToJsonString());

        var result = AvroCompatibility.CheckVersion(current, 1, previous, CompatibilityLevel.Full);

        Assert.True(result.IsCompatible, string.Join("; ", result.Messages));
    }

    /// <summary>Removes the field from the record named <paramref name="owner"/> wherever it is defined in the tree.</summary>
    private static bool Remove(JsonNode node, string owner, string field)
    {
        var removed = false;
        if (node is JsonObject obj)
        {
            if ((string?)obj["name"] == owner && obj["fields"] is JsonArray fields
                && fields.FirstOrDefault(f => (string?)f!["name"] == field) is { } found)
            {
                fields.Remove(found);
                removed = true;
            }
            foreach (var (_, child) in obj.ToList())
            {
                if (child is not null) removed |= Remove(child, owner, field);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array.ToList())
            {
                if (child is not null) removed |= Remove(child, owner, field);
            }
        }
        return removed;
    }
}
