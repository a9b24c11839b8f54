using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Contracts;
using MlOps.Inference;
using MlOps.Inference.Serving;
using MlOps.Models;
using MlOps.Models.Rules;
using MlOps.UnitTests.Training;

namespace MlOps.UnitTests.Inference;

/// <summary>Routing, refusal and hot swap of the serving state, with the checked-in flight-delay model.</summary>
public sealed class ServingStateTests : IDisposable
{
    private static readonly string ManifestPath = Path.Combine(Specs.Root, "models", "flight-delay", ModelManifest.FileName("flight-delay", "1"));
    private readonly List<(string Model, string Reason)> _refusals = [];
    private readonly List<(string RuleSet, string Version, string Reason, string Message)> _ruleSetRefusals = [];
    private readonly ServingState _state;

    public ServingStateTests()
    {
        _state = new ServingState(version => OnnxModel.Load(version, version.artifact_uri), NullLogger<ServingState>.Instance);
        _state.ModelRefused += (model, reason, _) => _refusals.Add((model, reason));
        _state.RuleSetRefused += (ruleSet, version, reason, message) => _ruleSetRefusals.Add((ruleSet, version, reason, message));
    }

    public void Dispose() => _state.Dispose();

    private static ModelVersion Version(string version, string? artifact = null)
    {
        var manifest = ModelManifest.Read(ManifestPath) with { Version = version };
        return manifest.ToModelVersion(artifact ?? manifest.ArtifactPath(ManifestPath), "test");
    }

    private static Deployment Deployment(string name, string version, long revision, string? tenant = null) => new()
    {
        deployment = name,
        tenant_id = tenant,
        event_types = ["flight_departure"],
        arms = [new DeploymentArm { name = "stable", model_name = "flight-delay", model_version = version, traffic_weight = 1, shadow = false }],
        fallback = [],
        stage = "production",
        revision = revision,
        spec_version = "",
    };

    private void Publish(ModelVersion version) => _state.OnModelVersion(OnnxModel.KeyOf(version), version);

    [Fact]
    public void A_tenants_own_deployment_takes_precedence_over_the_shared_one()
    {
        Publish(Version("1"));
        Publish(Version("2"));
        _state.OnDeployment("delay", Deployment("delay", "1", 1));
        _state.OnDeployment("delay/airline-b", Deployment("delay", "2", 1, tenant: "airline-b"));
        _state.Reconcile();

        Assert.Equal("flight-delay:2", _state.Current.Route("flight_departure", "airline-b")!.ChampionModel.Model.Key);
        Assert.Equal("flight-delay:1", _state.Current.Route("flight_departure", "airline-a")!.ChampionModel.Model.Key);
        Assert.Null(_state.Current.Route("flight_arrival", "airline-a"));
        Assert.Equal(["flight_departure"], _state.Current.EventTypes);
    }

    [Fact]
    public void A_refused_version_leaves_the_previous_one_serving_and_is_reported_once_with_its_reason()
    {
        Publish(Version("1"));
        _state.OnDeployment("delay", Deployment("delay", "1", 1));
        _state.Reconcile();
        Publish(Version("2", artifact: "/nonexistent/flight-delay-2.onnx"));
        _state.OnDeployment("delay", Deployment("delay", "2", 2));

        _state.Reconcile();
        _state.Reconcile();

        Assert.Equal("flight-delay:1", _state.Current.Route("flight_departure", "t")!.ChampionModel.Model.Key);
        Assert.Equal([("flight-delay:2", ModelLoadException.ArtifactMissing)], _refusals);
        Assert.StartsWith("artifact_missing: ", _state.Refused["flight-delay:2"]);
    }

    [Theory]
    [InlineData("file://host:99999/x.onnx", "Invalid URI")]
    [InlineData("bad\0name.onnx", "\\u0000")]
    public void A_malformed_artifact_uri_is_refused_with_its_reason_and_the_previous_version_keeps_serving(string uri, string named)
    {
        // The service's own loader (RegistryWatcher.Load), which resolves artifact_uri: that is where the URI broke.
        var options = new InferenceOptions { ModelsDirectory = Path.GetTempPath() };
        using var state = new ServingState(v => RegistryWatcher.Load(options, v), NullLogger<ServingState>.Instance);
        var refusals = new List<(string Model, string Reason, string Message)>();
        state.ModelRefused += (model, reason, message) => refusals.Add((model, reason, message));
        var good = Version("1");
        state.OnModelVersion(OnnxModel.KeyOf(good), good);
        state.OnDeployment("delay", Deployment("delay", "1", 1));
        state.Reconcile();
        var bad = Version("2");
        bad.artifact_uri = uri;
        state.OnModelVersion(OnnxModel.KeyOf(bad), bad);
        state.OnDeployment("delay", Deployment("delay", "2", 2));

        state.Reconcile(); // must not throw: a throw here stopped the registry watcher, and the host with it

        Assert.Equal("flight-delay:1", state.Current.Route("flight_departure", "t")!.ChampionModel.Model.Key);
        var (model, reason, message) = Assert.Single(refusals);
        Assert.Equal(("flight-delay:2", ModelLoadException.ArtifactUriInvalid), (model, reason));
        Assert.Contains("artifact_uri '", message);
        Assert.Contains(named, message);
        Assert.StartsWith("artifact_uri_invalid: ", state.Refused["flight-delay:2"]);
    }

    [Fact]
    public void A_load_that_throws_something_unexpected_refuses_that_version_instead_of_escaping_reconcile()
    {
        using var state = new ServingState(
            v => v.version == "2" ? throw new InvalidOperationException("boom") : OnnxModel.Load(v, v.artifact_uri),
            NullLogger<ServingState>.Instance);
        var refusals = new List<(string Model, string Reason)>();
        state.ModelRefused += (model, reason, _) => refusals.Add((model, reason));
        state.OnModelVersion("flight-delay:1", Version("1"));
        state.OnModelVersion("flight-delay:2", Version("2"));
        state.OnDeployment("delay", Deployment("delay", "1", 1));
        state.Reconcile();
        state.OnDeployment("delay", Deployment("delay", "2", 2));

        state.Reconcile();

        Assert.Equal("flight-delay:1", state.Current.Route("flight_departure", "t")!.ChampionModel.Model.Key);
        Assert.Equal([("flight-delay:2", ModelLoadException.LoadFailed)], refusals);
        Assert.Contains("InvalidOperationException: boom", state.Refused["flight-delay:2"]);
    }

    [Fact]
    public void Of_two_deployments_scoring_one_event_type_the_first_key_serves_and_the_other_is_refused_once()
    {
        var conflicts = new List<(string Deployment, string Reason, string Message)>();
        _state.DeploymentRefused += (deployment, reason, message) => conflicts.Add((deployment, reason, message));
        Publish(Version("1"));
        Publish(Version("2"));
        _state.OnDeployment("delay-b", Deployment("delay-b", "2", 1)); // arrives first, but sorts after "delay"
        _state.OnDeployment("delay", Deployment("delay", "1", 1));

        _state.Reconcile();
        _state.Reconcile();

        var served = Assert.Single(_state.Current.Routes); // GET /v1/models and readiness list only what routes
        Assert.Equal("delay", served.Key);
        Assert.Same(served, _state.Current.Route("flight_departure", "any"));
        var (deployment, reason, message) = Assert.Single(conflicts);
        Assert.Equal(("delay-b", ServingState.RouteConflict), (deployment, reason));
        Assert.Contains("'flight_departure'", message);
        Assert.Contains("deployment delay already scores", message);
        Assert.StartsWith("route_conflict: ", _state.Refused["deployment delay-b"]);
    }

    [Fact]
    public void A_deployment_refused_for_a_route_conflict_does_not_load_its_models_on_every_reconcile()
    {
        var loads = new List<string>();
        using var state = new ServingState(v => { loads.Add(OnnxModel.KeyOf(v)); return OnnxModel.Load(v, v.artifact_uri); }, NullLogger<ServingState>.Instance);
        foreach (var version in new[] { Version("1"), Version("2") })
        {
            state.OnModelVersion(OnnxModel.KeyOf(version), version);
        }
        state.OnDeployment("delay", Deployment("delay", "1", 1));
        state.OnDeployment("delay-b", Deployment("delay-b", "2", 1));

        state.Reconcile();
        state.Reconcile();

        Assert.Equal(["flight-delay:1"], loads);
    }

    [Fact]
    public void A_deployment_refused_for_a_route_conflict_serves_once_the_other_is_retired()
    {
        Publish(Version("1"));
        Publish(Version("2"));
        _state.OnDeployment("delay", Deployment("delay", "1", 1));
        _state.OnDeployment("delay-b", Deployment("delay-b", "2", 1));
        _state.Reconcile();

        _state.OnDeployment("delay", null);
        _state.Reconcile();

        Assert.Equal("delay-b", Assert.Single(_state.Current.Routes).Key);
        Assert.Equal("flight-delay:2", _state.Current.Route("flight_departure", "any")!.ChampionModel.Model.Key);
        Assert.Empty(_state.Refused);
    }

    [Fact]
    public void A_deployment_read_before_its_model_version_is_served_once_the_version_arrives()
    {
        _state.OnDeployment("delay", Deployment("delay", "1", 1));
        _state.Reconcile();
        Assert.Null(_state.Current.Route("flight_departure", "t"));
        Assert.Equal([("flight-delay:1", "not_registered")], _refusals);

        Publish(Version("1"));
        _state.Reconcile();

        Assert.Equal("flight-delay:1", _state.Current.Route("flight_departure", "t")!.ChampionModel.Model.Key);
        Assert.Empty(_state.Refused);
    }

    [Fact]
    public void An_invalid_rule_set_is_refused_as_a_rule_set_not_as_a_model_and_the_previous_revision_keeps_serving()
    {
        Publish(Version("1"));
        _state.OnDeployment("delay", Deployment("delay", "1", 1));
        _state.Reconcile();
        _state.OnRuleSet("delay-rules:4", new RuleSet
        {
            name = "delay-rules",
            version = "4",
            rules = [new OutputRule { name = "hawaii", kind = RuleKinds.Match, attribute = "event.destination", pattern = "(HNL", probability = 0.5 }],
            created_at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        });
        var ruled = Deployment("delay", "1", 2);
        ruled.output_rules = "delay-rules:4";
        _state.OnDeployment("delay", ruled);

        _state.Reconcile();
        _state.Reconcile();

        Assert.Equal(1, _state.Current.Route("flight_departure", "t")!.Deployment.revision);
        var (ruleSet, version, reason, message) = Assert.Single(_ruleSetRefusals);
        Assert.Equal(("delay-rules", "4", "rules_invalid"), (ruleSet, version, reason));
        Assert.Contains("rules[0].pattern: is not a valid regular expression", message);
        Assert.Empty(_refusals);
        Assert.StartsWith("rules_invalid: ", _state.Refused["rules delay-rules:4"]);
    }

    [Theory]
    [InlineData("delay-rules:9", "delay-rules", "9")]
    [InlineData("ops:delay-rules:9", "ops:delay-rules", "9")] // names may contain colons, versions do not
    [InlineData("delay-rules", "delay-rules", "")] // no version: reported whole rather than guessed at
    public void An_unknown_rule_set_is_refused_with_its_name_and_version(string reference, string expectedName, string expectedVersion)
    {
        Publish(Version("1"));
        var deployment = Deployment("delay", "1", 1);
        deployment.shadow_rules = reference;
        _state.OnDeployment("delay", deployment);

        _state.Reconcile();

        Assert.Null(_state.Current.Route("flight_departure", "t"));
        Assert.Equal([(expectedName, expectedVersion, "rules_not_registered")], _ruleSetRefusals.Select(r => (r.RuleSet, r.Version, r.Reason)));
        Assert.Empty(_refusals);
    }

    [Fact]
    public void An_older_revision_does_not_undo_a_newer_one()
    {
        Publish(Version("1"));
        Publish(Version("2"));
        _state.OnDeployment("delay", Deployment("delay", "2", 5));
        _state.OnDeployment("delay", Deployment("delay", "1", 4));
        _state.Reconcile();

        Assert.Equal("flight-delay:2", _state.Current.Route("flight_departure", "t")!.ChampionModel.Model.Key);
    }

    [Fact]
    public void A_swapped_out_model_keeps_running_for_a_scoring_call_in_flight_and_is_disposed_after_it()
    {
        Publish(Version("1"));
        Publish(Version("2"));
        _state.OnDeployment("delay", Deployment("delay", "1", 1));
        _state.Reconcile();
        var lease = _state.Acquire();
        var old = lease.Snapshot.Route("flight_departure", "t")!.ChampionModel.Model;
        Array[] row = [.. old.Inputs.Select(_ => new float[] { 1f })];

        _state.OnDeployment("delay", Deployment("delay", "2", 2));
        _state.Reconcile();

        Assert.Equal("flight-delay:2", _state.Current.Route("flight_departure", "t")!.ChampionModel.Model.Key);
        Assert.Single(old.Run(1, row)); // still usable: the lease holds it
        lease.Dispose();
        Assert.ThrowsAny<ObjectDisposedException>(() => old.Run(1, row));
    }
}
