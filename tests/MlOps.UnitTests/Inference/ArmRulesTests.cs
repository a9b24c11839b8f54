using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Contracts;
using MlOps.Inference.Serving;
using MlOps.Models;
using MlOps.Models.Rules;
using MlOps.UnitTests.Training;

namespace MlOps.UnitTests.Inference;

/// <summary>
/// An arm's own output rule set (DeploymentArm.output_rules, a rule-set rollout's candidate arm): it replaces the
/// deployment's for that arm's predictions, and an unknown one is refused like the deployment's own.
/// </summary>
public sealed class ArmRulesTests : IDisposable
{
    private static readonly string ManifestPath = Path.Combine(Specs.Root, "models", "flight-delay", ModelManifest.FileName("flight-delay", "1"));
    private readonly List<(string Key, string Reason)> _refusals = [];
    private readonly List<(string RuleSet, string Version, string Reason)> _ruleSetRefusals = [];
    private readonly ServingState _state;

    public ArmRulesTests()
    {
        _state = new ServingState(version => OnnxModel.Load(version, version.artifact_uri), NullLogger<ServingState>.Instance);
        _state.ModelRefused += (key, reason, _) => _refusals.Add((key, reason));
        _state.RuleSetRefused += (ruleSet, version, reason, _) => _ruleSetRefusals.Add((ruleSet, version, reason));
        var manifest = ModelManifest.Read(ManifestPath);
        var version = manifest.ToModelVersion(manifest.ArtifactPath(ManifestPath), "test");
        _state.OnModelVersion(OnnxModel.KeyOf(version), version);
    }

    public void Dispose() => _state.Dispose();

    /// <summary>delay-rules:version clamping every probability to exactly <paramref name="to"/>.</summary>
    private static RuleSet Pinning(string version, double to) => new()
    {
        name = "delay-rules",
        version = version,
        rules = [new OutputRule { name = "pin", kind = RuleKinds.Clamp, min = to, max = to }],
        created_at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
    };

    private static Deployment Deployment(long revision, string? candidateRules) => new()
    {
        deployment = "delay",
        event_types = ["flight_departure"],
        arms =
        [
            new DeploymentArm { name = "champion", model_name = "flight-delay", model_version = "1", traffic_weight = 0.9 },
            new DeploymentArm { name = "candidate", model_name = "flight-delay", model_version = "1", traffic_weight = 0.1, output_rules = candidateRules },
        ],
        fallback = [],
        output_rules = "delay-rules:1",
        revision = revision,
        spec_version = "",
    };

    private static Prediction Unruled(string arm) => new()
    {
        arm = arm,
        scores = new Dictionary<string, double> { ["probability"] = 0.7 },
        decision = "positive",
        served_features = new Dictionary<string, object>(),
    };

    private static readonly ScoringRequest Request = new("e1", null, "t", "e", "flight_departure", 0,
        new Dictionary<string, object?>(), new ScoringSource("events", 0, 0, null));

    private void Publish(RuleSet set) => _state.OnRuleSet($"{set.name}:{set.version}", set);

    [Fact]
    public void An_arm_with_its_own_rules_applies_them_and_the_other_arms_apply_the_deployments()
    {
        Publish(Pinning("1", 0.3));
        Publish(Pinning("2", 0.9));
        _state.OnDeployment("delay", Deployment(1, "delay-rules:2"));
        _state.Reconcile();
        var route = _state.Current.Route("flight_departure", "t")!;

        var champion = Unruled("champion");
        var candidate = Unruled("candidate");
        Scorer.ApplyRules(champion, Request, route, 0.7);
        Scorer.ApplyRules(candidate, Request, route, 0.7);

        Assert.Equal(["delay-rules=1"], champion.rule_versions.Select(r => $"{r.Key}={r.Value}"));
        Assert.Equal(["delay-rules:1/pin"], champion.rules_fired);
        Assert.Equal((0.3, "negative"), (champion.scores["probability"], champion.decision));
        Assert.Equal(["delay-rules=2"], candidate.rule_versions.Select(r => $"{r.Key}={r.Value}"));
        Assert.Equal(["delay-rules:2/pin"], candidate.rules_fired);
        Assert.Equal((0.9, "positive", 0.7), (candidate.scores["probability"], candidate.decision, candidate.scores["model_probability"]));
    }

    [Fact]
    public void An_arm_without_a_deployment_rule_set_still_applies_its_own()
    {
        Publish(Pinning("2", 0.9));
        var deployment = Deployment(1, "delay-rules:2");
        deployment.output_rules = null;
        _state.OnDeployment("delay", deployment);
        _state.Reconcile();
        var route = _state.Current.Route("flight_departure", "t")!;

        var champion = Unruled("champion");
        var candidate = Unruled("candidate");
        Scorer.ApplyRules(champion, Request, route, 0.7);
        Scorer.ApplyRules(candidate, Request, route, 0.7);

        Assert.Empty(champion.rule_versions);
        Assert.Equal(["delay-rules:2/pin"], candidate.rules_fired);
    }

    [Fact]
    public void An_unknown_arm_rule_set_is_refused_and_the_previous_revision_keeps_serving()
    {
        Publish(Pinning("1", 0.3));
        _state.OnDeployment("delay", Deployment(1, candidateRules: null));
        _state.Reconcile();

        _state.OnDeployment("delay", Deployment(2, "delay-rules:7"));
        _state.Reconcile();

        var route = _state.Current.Route("flight_departure", "t")!;
        Assert.Equal(1, route.Deployment.revision);
        Assert.Empty(route.ArmRules);
        Assert.Equal([("delay-rules", "7", "rules_not_registered")], _ruleSetRefusals);
        Assert.Empty(_refusals);

        Publish(Pinning("7", 0.5));
        _state.Reconcile();

        route = _state.Current.Route("flight_departure", "t")!;
        Assert.Equal(2, route.Deployment.revision);
        Assert.Equal("delay-rules:7", route.RulesFor("candidate")!.Key);
        Assert.Equal("delay-rules:1", route.RulesFor("champion")!.Key);
    }

    [Fact]
    public void An_invalid_arm_rule_set_is_refused_like_the_deployments()
    {
        var invalid = Pinning("3", 0.5);
        invalid.rules[0].min = 2; // outside [0, 1]
        Publish(invalid);
        Publish(Pinning("1", 0.3));

        _state.OnDeployment("delay", Deployment(1, "delay-rules:3"));
        _state.Reconcile();

        Assert.Null(_state.Current.Route("flight_departure", "t"));
        Assert.Equal([("delay-rules", "3", "rules_invalid")], _ruleSetRefusals);
        Assert.Empty(_refusals);
    }
}
