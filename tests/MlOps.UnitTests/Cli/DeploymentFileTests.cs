using MlOps.Cli.Deployments;
using MlOps.Common.Spec;
using MlOps.Contracts;

namespace MlOps.UnitTests.Cli;

public sealed class DeploymentFileTests
{
    private static readonly DateTime Now = new(2026, 11, 29, 4, 0, 0, DateTimeKind.Utc);

    private const string Valid = """
        deployments:
          - deployment: flight-delay
            event_types: [flight_departure]
            routing_key: entity
            champion: flight-delay:1
            challengers:
              - { model: flight-delay:2, weight: 0.10, name: challenger }
              - { model: flight-delay:4, weight: 0.05 }
            shadows: [flight-delay:3, flight-delay:5]
            fallback: [flight-delay:1]
            fallback_constant: 0.2
            model_timeout_ms: 50
            output_rules: delay-rules:1
            shadow_rules: delay-rules:2
          - deployment: flight-delay
            tenant: airline-vip
            event_types: [flight_departure]
            champion: flight-delay-vip:1
        """;

    private static IReadOnlyList<Deployment> Parse(string yaml) => DeploymentFile.Parse(yaml, "deploy.yaml", Now, "alice");

    private static IReadOnlyList<SpecError> Errors(string yaml) => Assert.Throws<SpecException>(() => Parse(yaml)).Errors;

    [Fact]
    public void Champion_gets_what_the_challengers_leave_and_shadows_serve_nothing()
    {
        var deployments = Parse(Valid);

        Assert.Equal(2, deployments.Count);
        var main = deployments[0];
        Assert.Equal(
            [("champion", "flight-delay", "1", 0.85, false), ("challenger", "flight-delay", "2", 0.10, false), ("challenger-2", "flight-delay", "4", 0.05, false),
             ("shadow", "flight-delay", "3", 0.0, true), ("shadow-2", "flight-delay", "5", 0.0, true)],
            main.arms.Select(a => (a.name, a.model_name, a.model_version, Math.Round(a.traffic_weight, 10), a.shadow)));
        Assert.Equal(["flight_departure"], main.event_types);
        Assert.Equal(["flight-delay:1"], main.fallback);
        Assert.Equal((0.2, 50L, "entity", "delay-rules:1", "delay-rules:2"),
            (main.fallback_constant, main.model_timeout_ms, main.routing_key, main.output_rules, main.shadow_rules));
        Assert.Equal((null, "stable", "alice", new DateTimeOffset(Now).ToUnixTimeMilliseconds()), (main.tenant_id, main.stage, main.approved_by, main.revision));

        var vip = deployments[1];
        Assert.Equal("airline-vip", vip.tenant_id);
        var arm = Assert.Single(vip.arms);
        Assert.Equal(("champion", "flight-delay-vip", "1", 1.0), (arm.name, arm.model_name, arm.model_version, arm.traffic_weight));
    }

    [Theory]
    [InlineData("champion: flight-delay", "deployments[0].champion", 4, 15, "'flight-delay' is not a model reference name:version")]
    [InlineData("routing_key: customer", "deployments[0].routing_key", 4, 18, "'customer' is not 'entity' or 'tenant'")]
    [InlineData("colour: blue", "deployments[0].colour", 4, 5, "unknown field")]
    [InlineData("fallback_constant: 1.5", "deployments[0].fallback_constant", 4, 24, "'1.5' is not a probability between 0 and 1")]
    [InlineData("fallback: [flight-delay]", "deployments[0].fallback", 4, 16, "'flight-delay' is not a model reference")]
    [InlineData("shadows: [v3]", "deployments[0].shadows", 4, 15, "'v3' is not a model reference")]
    [InlineData("output_rules: delay-rules", "deployments[0].output_rules", 4, 19, "'delay-rules' is not a rule set reference")]
    [InlineData("model_timeout_ms: -5", "deployments[0].model_timeout_ms", 4, 23, "'-5' is not a positive whole number")]
    [InlineData("challengers: [{ model: m:2, weight: 1.2 }]", "deployments[0].challengers[0].weight", 4, 41, "strictly between 0 and 1")]
    [InlineData("challengers: [{ model: m:2 }]", "deployments[0].challengers[0].weight", 4, 19, "is required")]
    [InlineData("challengers: [{ model: m:2, weight: 0.6 }, { model: m:3, weight: 0.4 }]", "deployments[0].challengers", 4, 18, "must leave the champion more than 0")]
    [InlineData("challengers: [{ model: m:2, weight: 0.1, name: champion }]", "deployments[0].challengers", 4, 18, "arm name 'champion' is used twice")]
    [InlineData("stage: rolled_back", "deployments[0].stage", 4, 12, "'rolled_back' is reserved for the rollout controller's restores")]
    public void Each_problem_names_its_location_and_field(string line, string field, int lineNumber, int column, string message)
    {
        var yaml = $"""
            deployments:
              - deployment: flight-delay
                event_types: [flight_departure]
                {line}
            """;
        if (!line.StartsWith("champion", StringComparison.Ordinal))
        {
            yaml += "\n    champion: flight-delay:1";
        }

        var error = Assert.Single(Errors(yaml));

        Assert.Equal(("deploy.yaml", lineNumber, column, field), (error.File, error.Line, error.Column, error.Field));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deployment_without_event_types_or_champion_is_refused_with_both_problems()
    {
        var errors = Errors("""
            deployments:
              - deployment: flight-delay
                event_types: []
            """);

        Assert.Equal(["deployments[0].event_types", "deployments[0].champion"], errors.Select(e => e.Field).Order().Reverse());
    }

    [Fact]
    public void The_same_deployment_and_tenant_twice_is_refused_at_the_second()
    {
        var error = Assert.Single(Errors("""
            deployments:
              - { deployment: d, tenant: t, event_types: [e], champion: m:1 }
              - { deployment: d, event_types: [e], champion: m:1 }
              - { deployment: d, tenant: t, event_types: [e], champion: m:2 }
            """));

        Assert.Equal((4, 5, "deployments[2]"), (error.Line, error.Column, error.Field));
        Assert.Contains("'d/t' is declared twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var errors = Errors("""
            deployments:
              - deployment: Flight Delay
                event_types: [flight_departure]
                champion: m
                routing_key: x
              - deployment: ok
                event_types: []
                champion: m:1
                challengers: [{ model: m:2, weight: 1.5 }]
            """);

        Assert.Equal(
            ["deployments[0].champion", "deployments[0].deployment", "deployments[0].routing_key", "deployments[1].challengers[0].weight", "deployments[1].event_types"],
            errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_file_without_deployments_is_refused()
    {
        Assert.Equal(["deployments", "other"], Errors("other: 1").Select(e => e.Field).Order());
        Assert.Equal("(root)", Assert.Single(Errors("- just a list")).Field);
    }
}
