using MlOps.Cli.Deployments;
using MlOps.Contracts;

namespace MlOps.UnitTests.Cli;

public sealed class DeploymentRoutesTests
{
    private static Deployment Deployment(string name, string? tenant = null, params string[] eventTypes) => new()
    {
        deployment = name,
        tenant_id = tenant,
        event_types = eventTypes.Length == 0 ? ["flight_departure"] : [.. eventTypes],
        arms = [new DeploymentArm { name = "champion", model_name = "flight-delay", model_version = "1", traffic_weight = 1 }],
        fallback = [],
        stage = "production",
        revision = 1,
        spec_version = "",
        updated_at = new DateTime(2026, 11, 29, 0, 0, 0, DateTimeKind.Utc),
    };

    [Fact]
    public void A_second_deployment_for_an_event_type_already_scored_for_the_same_tenants_is_a_conflict_naming_both()
    {
        var inForce = new Dictionary<string, Deployment> { ["flight-delay"] = Deployment("flight-delay") };

        var conflicts = DeploymentRoutes.Conflicts(inForce, [("a-new-one", Deployment("a-new-one"))]);

        var conflict = Assert.Single(conflicts);
        Assert.Contains("'a-new-one' would score event type 'flight_departure' for all tenants, which 'flight-delay' already scores", conflict, StringComparison.Ordinal);
    }

    [Fact]
    public void Republishing_a_deployment_under_its_own_key_and_a_tenants_own_deployment_are_no_conflict()
    {
        var inForce = new Dictionary<string, Deployment> { ["flight-delay"] = Deployment("flight-delay") };

        Assert.Empty(DeploymentRoutes.Conflicts(inForce, [("flight-delay", Deployment("flight-delay"))]));
        Assert.Empty(DeploymentRoutes.Conflicts(inForce, [("flight-delay/bts", Deployment("flight-delay", "bts"))]));
        Assert.Empty(DeploymentRoutes.Conflicts(inForce, [("arrivals", Deployment("arrivals", null, "flight_arrival"))]));
    }

    [Fact]
    public void Two_deployments_of_one_file_claiming_the_same_route_conflict_with_each_other()
    {
        var conflicts = DeploymentRoutes.Conflicts(new Dictionary<string, Deployment>(),
            [("one", Deployment("one", "bts")), ("two", Deployment("two", "bts", "flight_arrival", "flight_departure"))]);

        var conflict = Assert.Single(conflicts);
        Assert.StartsWith("'two' would score event type 'flight_departure' for tenant 'bts', which 'one' already scores", conflict, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deployment_replaced_in_the_same_publish_frees_its_routes()
    {
        var inForce = new Dictionary<string, Deployment> { ["old"] = Deployment("old") };

        // 'old' is republished for arrivals only, so departures are free for 'new' in the same file.
        Assert.Empty(DeploymentRoutes.Conflicts(inForce, [("old", Deployment("old", null, "flight_arrival")), ("new", Deployment("new"))]));
    }
}
