using MlOps.Cli.Commands;
using MlOps.Cli.Deployments;

namespace MlOps.UnitTests.Cli;

public sealed class DeploymentsTableTests
{
    [Fact]
    public void The_table_shows_weights_shadows_fallback_chain_and_rules_per_key()
    {
        var deployments = DeploymentFile.Parse("""
            deployments:
              - deployment: flight-delay
                event_types: [flight_departure]
                champion: flight-delay:1
                challengers: [{ model: flight-delay:2, weight: 0.1 }]
                shadows: [flight-delay:3]
                fallback: [flight-delay:0]
                fallback_constant: 0.2
                output_rules: delay-rules:1
                shadow_rules: delay-rules:2
              - { deployment: flight-delay, tenant: vip, event_types: [flight_departure], champion: vip:1 }
            """, "d.yaml", new DateTime(2026, 11, 29, 4, 0, 0, DateTimeKind.Utc), "alice");

        deployments[1].change_reason = "vip airline moved to its own model";
        var lines = DeploymentsCommand.Table(deployments.ToDictionary(ModelsCommand.KeyOf)).Split('\n');

        Assert.StartsWith("KEY", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^flight-delay +flight_departure +champion=flight-delay:1@0\.9 challenger=flight-delay:2@0\.1 shadow=flight-delay:3\(shadow\) +flight-delay:0>0\.2 +delay-rules:1 shadow:delay-rules:2 +stable +\d+ +-$", lines[1]);
        Assert.StartsWith("flight-delay/vip ", lines[2], StringComparison.Ordinal);
        Assert.EndsWith(" vip airline moved to its own model", lines[2], StringComparison.Ordinal);
        Assert.Equal(["flight-delay:1", "flight-delay:2", "flight-delay:3", "flight-delay:0"], DeploymentsCommand.ModelsOf(deployments[0]));
    }

    [Fact]
    public void An_empty_topic_says_so()
    {
        Assert.Equal("no deployments\n", DeploymentsCommand.Table(new Dictionary<string, MlOps.Contracts.Deployment>()));
    }

    [Fact]
    public void An_arm_with_its_own_output_rules_shows_them()
    {
        var deployment = new MlOps.Contracts.Deployment
        {
            arms =
            [
                new MlOps.Contracts.DeploymentArm { name = "champion", model_name = "flight-delay", model_version = "1", traffic_weight = 0.9 },
                new MlOps.Contracts.DeploymentArm { name = "candidate", model_name = "flight-delay", model_version = "1", traffic_weight = 0.1, output_rules = "delay-rules:4" },
            ],
        };

        Assert.Equal("champion=flight-delay:1@0.9 candidate=flight-delay:1@0.1+rules:delay-rules:4", DeploymentsCommand.Arms(deployment));
    }
}
