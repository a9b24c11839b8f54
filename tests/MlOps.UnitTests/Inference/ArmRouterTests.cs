using MlOps.Contracts;
using MlOps.Inference.Serving;

namespace MlOps.UnitTests.Inference;

public sealed class ArmRouterTests
{
    private const int Keys = 100_000;

    private static DeploymentArm Arm(string name, double weight, bool shadow = false) =>
        new() { name = name, model_name = "flight-delay", model_version = name, traffic_weight = weight, shadow = shadow };

    private static Deployment Deployment(params DeploymentArm[] arms) =>
        new() { deployment = "flight-delay", event_types = ["flight_departure"], arms = arms.ToList(), routing_key = "entity" };

    private static Dictionary<string, double> Shares(Deployment deployment)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < Keys; i++)
        {
            var arm = ArmRouter.Choose(deployment, ArmRouter.Bucket(deployment.deployment, $"entity-{i}"))!;
            counts[arm.name] = counts.GetValueOrDefault(arm.name) + 1;
        }
        return counts.ToDictionary(pair => pair.Key, pair => pair.Value / (double)Keys);
    }

    [Theory]
    // Pinned: a change of the hash moves every cohort to another arm, so it must be deliberate.
    [InlineData("flight-delay", "entity-0", BucketOfEntity0)]
    [InlineData("flight-delay", "AF1234", BucketOfAf1234)]
    [InlineData("fraud", "tenant-a", BucketOfTenantA)]
    public void Bucket_is_a_pinned_function_of_deployment_and_key(string deployment, string key, int expected)
    {
        Assert.Equal(expected, ArmRouter.Bucket(deployment, key));
        Assert.Equal(expected, ArmRouter.Bucket(deployment, key));
    }

    private const int BucketOfEntity0 = 9732;
    private const int BucketOfAf1234 = 8564;
    private const int BucketOfTenantA = 3839;

    [Fact]
    public void Bucket_depends_on_the_deployment_so_deployments_split_independently()
    {
        var same = Enumerable.Range(0, 1000).Count(i => ArmRouter.Bucket("a", $"k{i}") == ArmRouter.Bucket("b", $"k{i}"));
        Assert.True(same < 10, $"{same} of 1000 keys share a bucket across deployments");
    }

    [Fact]
    public void Buckets_are_within_range()
    {
        Assert.All(Enumerable.Range(0, 10_000), i => Assert.InRange(ArmRouter.Bucket("d", $"k{i}"), 0, ArmRouter.Buckets - 1));
    }

    [Fact]
    public void A_90_10_split_is_accurate_within_one_percent()
    {
        var shares = Shares(Deployment(Arm("champion", 0.9), Arm("challenger", 0.1)));
        Assert.InRange(shares["champion"], 0.89, 0.91);
        Assert.InRange(shares["challenger"], 0.09, 0.11);
    }

    [Fact]
    public void A_50_30_20_split_is_accurate_within_one_percent()
    {
        var shares = Shares(Deployment(Arm("a", 0.5), Arm("b", 0.3), Arm("c", 0.2)));
        Assert.InRange(shares["a"], 0.49, 0.51);
        Assert.InRange(shares["b"], 0.29, 0.31);
        Assert.InRange(shares["c"], 0.19, 0.21);
    }

    [Fact]
    public void Weights_not_summing_to_one_are_normalised()
    {
        var shares = Shares(Deployment(Arm("a", 3), Arm("b", 1)));
        Assert.InRange(shares["a"], 0.74, 0.76);
        Assert.InRange(shares["b"], 0.24, 0.26);
    }

    [Fact]
    public void Shadow_arms_are_never_chosen_and_do_not_dilute_the_split()
    {
        var deployment = Deployment(Arm("champion", 0.9), Arm("shadow", 0.5, shadow: true), Arm("challenger", 0.1));
        var shares = Shares(deployment);
        Assert.DoesNotContain("shadow", shares.Keys);
        Assert.InRange(shares["champion"], 0.89, 0.91);
        Assert.Equal(["shadow"], ArmRouter.Shadows(deployment).Select(arm => arm.name));
    }

    [Fact]
    public void A_zero_weight_arm_is_never_chosen()
    {
        var deployment = Deployment(Arm("a", 0.5), Arm("zero", 0), Arm("b", 0.5));
        Assert.All(Enumerable.Range(0, ArmRouter.Buckets), bucket => Assert.NotEqual("zero", ArmRouter.Choose(deployment, bucket)!.name));
    }

    [Fact]
    public void No_serving_arm_when_there_are_only_shadows_or_zero_weights()
    {
        Assert.Null(ArmRouter.Choose(Deployment(Arm("s", 1, shadow: true)), 0));
        Assert.Null(ArmRouter.Choose(Deployment(Arm("a", 0), Arm("b", 0)), 5000));
        Assert.Null(ArmRouter.Choose(Deployment(), 0));
    }

    [Fact]
    public void Every_bucket_has_an_arm_when_some_weight_is_positive()
    {
        var deployment = Deployment(Arm("a", 1.0 / 3), Arm("b", 1.0 / 3), Arm("c", 1.0 / 3));
        Assert.Equal("a", ArmRouter.Choose(deployment, 0)!.name);
        Assert.Equal("c", ArmRouter.Choose(deployment, ArmRouter.Buckets - 1)!.name);
    }

    [Fact]
    public void Raising_the_challenger_keeps_its_existing_cohort_on_it()
    {
        var at5 = Deployment(Arm("champion", 0.95), Arm("challenger", 0.05));
        var at25 = Deployment(Arm("champion", 0.75), Arm("challenger", 0.25));
        var onChallenger = 0;
        for (var i = 0; i < Keys; i++)
        {
            var bucket = ArmRouter.Bucket("flight-delay", $"entity-{i}");
            if (ArmRouter.Choose(at5, bucket)!.name == "challenger")
            {
                onChallenger++;
                Assert.Equal("challenger", ArmRouter.Choose(at25, bucket)!.name);
            }
        }
        Assert.InRange(onChallenger, 4_000, 6_000);
    }

    [Theory]
    [InlineData("tenant", "tenant-a")]
    [InlineData("entity", "entity-1")]
    [InlineData("", "entity-1")]
    public void Routing_key_follows_the_deployment(string routingKey, string expected)
    {
        var deployment = Deployment(Arm("a", 1));
        deployment.routing_key = routingKey;
        Assert.Equal(expected, ArmRouter.KeyOf(deployment, "tenant-a", "entity-1"));
    }
}
