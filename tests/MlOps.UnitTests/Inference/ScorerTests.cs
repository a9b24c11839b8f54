using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Inference;
using MlOps.Inference.Serving;
using MlOps.Models;
using MlOps.Models.Rules;
using MlOps.UnitTests.Training;

namespace MlOps.UnitTests.Inference;

/// <summary>
/// What a prediction says about the chain that scored it (or did not), with the checked-in flight-delay model:
/// version "1"/"2"/... are copies of it; a "strict" copy requires event.distance, so a request without it is unscorable.
/// </summary>
public sealed class ScorerTests : IDisposable
{
    private static readonly string ManifestPath = Path.Combine(Specs.Root, "models", "flight-delay", ModelManifest.FileName("flight-delay", "1"));
    private readonly string _specPath = Path.Combine(Directory.CreateTempSubdirectory("scorer-").FullName, "spec.yaml");
    private readonly ServingState _state = new(v => OnnxModel.Load(v, v.artifact_uri), NullLogger<ServingState>.Instance);
    private readonly SpecProvider _specs;

    public ScorerTests()
    {
        // No feature views in the spec: view features are missing (their defaults serve) and Redis is never read.
        File.WriteAllText(_specPath, "spec: s\nversion: \"1\"\ncontracts:\n  flight_departure:\n    version: \"1\"\n");
        _specs = new SpecProvider(_specPath, NullLogger<SpecProvider>.Instance, pollInterval: TimeSpan.Zero);
    }

    public void Dispose()
    {
        _state.Dispose();
        _specs.Dispose();
    }

    private void Register(string version, bool strict)
    {
        var manifest = ModelManifest.Read(ManifestPath) with { Version = version };
        var record = manifest.ToModelVersion(manifest.ArtifactPath(ManifestPath), "test");
        if (strict)
        {
            record.inputs.Single(i => i.feature == "event.distance").default_value = null;
        }
        _state.OnModelVersion(OnnxModel.KeyOf(record), record);
    }

    private void Deploy(IEnumerable<string> fallback, double? constant = null, params DeploymentArm[] arms) =>
        Deploy(fallback, constant, timeoutMs: null, arms);

    private void Deploy(IEnumerable<string> fallback, double? constant, long? timeoutMs, params DeploymentArm[] arms)
    {
        _state.OnDeployment("delay", new Deployment
        {
            deployment = "delay",
            event_types = ["flight_departure"],
            arms = arms.ToList(),
            fallback = fallback.ToList(),
            fallback_constant = constant,
            model_timeout_ms = timeoutMs,
            stage = "production",
            revision = 1,
            spec_version = "",
        });
        _state.Reconcile();
    }

    private static DeploymentArm Arm(string name, string version, bool shadow = false) =>
        new() { name = name, model_name = "flight-delay", model_version = version, traffic_weight = shadow ? 0 : 1, shadow = shadow };

    private Scorer NewScorer() => new(_state, _specs, null!, TimeProvider.System);

    private static ScoringRequest Request() => new(
        "e-1", null, "airline-a", "AA100", "flight_departure", 1_764_000_000_000, new Dictionary<string, object?>(), new ScoringSource("http", null, null, null));

    private static double Missing(string model, string feature) => InferenceMetrics.MissingFeatures.WithLabels(model, feature).Value;

    [Fact]
    public async Task An_unscored_prediction_says_nothing_served_names_the_arms_model_and_every_failure_of_the_chain()
    {
        Register("11", strict: true);
        Register("12", strict: true);
        Deploy(["flight-delay:12"], constant: null, Arm("stable", "11"));

        var p = Assert.Single(await NewScorer().ScoreAsync([Request()], "test", CancellationToken.None)).Prediction!;

        Assert.Empty(p.scores);
        Assert.Equal(Scorer.ServedByNone, p.served_by);
        Assert.Equal(("flight-delay", "11"), (p.model_name, p.model_version));
        Assert.StartsWith("missing_required_feature: flight-delay:11: required feature 'event.distance' is missing; ", p.fallback_reason);
        Assert.EndsWith("fallback flight-delay:12: missing_required_feature: flight-delay:12: required feature 'event.distance' is missing", p.fallback_reason);
        Assert.Empty(p.served_features);
        Assert.Empty(p.missing_features);
    }

    [Fact]
    public async Task A_row_the_fallback_cannot_assemble_does_not_log_the_previous_models_row_or_count_its_defaults()
    {
        Register("21", strict: false);
        Register("22", strict: true);
        // A limit of 0 ms: every run is over it, so the arm's own row is built and run, then refused.
        Deploy(["flight-delay:22"], constant: null, timeoutMs: 0, Arm("stable", "21"));
        var before = (Arm: Missing("flight-delay:21", "event.distance"), Fallback: Missing("flight-delay:22", "event.distance"));

        var p = Assert.Single(await NewScorer().ScoreAsync([Request()], "test", CancellationToken.None)).Prediction!;

        Assert.Equal(Scorer.ServedByNone, p.served_by);
        Assert.StartsWith("timeout: flight-delay:21 took ", p.fallback_reason);
        Assert.Contains("; fallback flight-delay:22: missing_required_feature: ", p.fallback_reason);
        Assert.Empty(p.served_features); // not flight-delay:21's row, which served nothing
        Assert.Empty(p.missing_features);
        Assert.Equal(before, (Missing("flight-delay:21", "event.distance"), Missing("flight-delay:22", "event.distance")));
    }

    [Fact]
    public async Task A_fallback_that_serves_logs_its_own_row_and_its_missing_features_are_counted_under_it()
    {
        Register("31", strict: true);
        Register("32", strict: false);
        Deploy(["flight-delay:32"], constant: null, Arm("stable", "31"));
        var before = (Arm: Missing("flight-delay:31", "event.distance"), Fallback: Missing("flight-delay:32", "event.distance"));

        var p = Assert.Single(await NewScorer().ScoreAsync([Request()], "test", CancellationToken.None)).Prediction!;

        Assert.True(p.scores.ContainsKey(Scorer.ProbabilityScore));
        Assert.Equal("fallback:flight-delay:32", p.served_by);
        Assert.Equal(("flight-delay", "32"), (p.model_name, p.model_version));
        Assert.StartsWith("missing_required_feature: flight-delay:31: ", p.fallback_reason);
        Assert.Contains("event.distance", p.served_features.Keys); // flight-delay:32's row, with its default
        Assert.Contains("event.distance", p.missing_features);
        Assert.Equal((before.Arm, before.Fallback + 1), (Missing("flight-delay:31", "event.distance"), Missing("flight-delay:32", "event.distance")));
    }

    [Fact]
    public async Task The_constant_serves_with_every_failure_listed_and_no_models_row()
    {
        Register("41", strict: true);
        Register("42", strict: true);
        Deploy(["flight-delay:42"], constant: 0.25, Arm("stable", "41"));

        var p = Assert.Single(await NewScorer().ScoreAsync([Request()], "test", CancellationToken.None)).Prediction!;

        Assert.Equal(0.25, p.scores[Scorer.ProbabilityScore]);
        Assert.Equal(("fallback:constant", "constant"), (p.served_by, p.model_name));
        Assert.Contains("flight-delay:41", p.fallback_reason);
        Assert.Contains("; fallback flight-delay:42: ", p.fallback_reason);
        Assert.Empty(p.served_features);
    }

    [Fact]
    public async Task A_failing_shadow_is_neither_an_unscored_request_nor_a_fallback_and_raises_its_own_event()
    {
        Register("51", strict: false);
        Register("52", strict: true);
        Deploy([], constant: null, Arm("stable", "51"), Arm("shadow", "52", shadow: true));
        var scorer = NewScorer();
        var fallbacks = new List<string>();
        var shadows = new List<string>();
        scorer.ModelFailed += (_, model, failure) => fallbacks.Add($"{model} {failure.Code}");
        scorer.ShadowFailed += (_, arm, model, failure) => shadows.Add($"{arm} {model} {failure.Code}");
        var unscored = InferenceMetrics.Unscored.WithLabels("scorer-shadow", ScoringFailure.MissingRequiredFeature);
        var before = unscored.Value;

        var outcome = Assert.Single(await scorer.ScoreAsync([Request()], "scorer-shadow", CancellationToken.None));

        Assert.True(outcome.Prediction!.scores.ContainsKey(Scorer.ProbabilityScore)); // the request was served
        var shadow = Assert.Single(outcome.Shadows);
        Assert.Equal(Scorer.ServedByNone, shadow.served_by); // the shadow's row is logged, unscored
        Assert.Equal(before, unscored.Value);
        Assert.Empty(fallbacks); // no ModelFallback alert: nothing fell back
        Assert.Equal(["shadow flight-delay:52 missing_required_feature"], shadows);
    }

    [Fact]
    public async Task Rules_fired_on_a_shadow_prediction_are_logged_but_not_counted_as_changing_a_served_one()
    {
        Register("61", strict: false);
        _state.OnRuleSet("shadow-count-rules:1", new RuleSet
        {
            name = "shadow-count-rules",
            version = "1",
            rules = [new OutputRule { name = "pin", kind = RuleKinds.Clamp, min = 0.999, max = 0.999 }],
            created_at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        });
        _state.OnDeployment("delay", new Deployment
        {
            deployment = "delay",
            event_types = ["flight_departure"],
            arms = [Arm("stable", "61"), Arm("shadow", "61", shadow: true)],
            fallback = [],
            output_rules = "shadow-count-rules:1",
            stage = "production",
            revision = 1,
            spec_version = "",
        });
        _state.Reconcile();
        var fired = InferenceMetrics.RulesFired.WithLabels("shadow-count-rules:1", "shadow-count-rules:1/pin");
        var before = fired.Value;

        var outcome = Assert.Single(await NewScorer().ScoreAsync([Request()], "test", CancellationToken.None));

        Assert.Equal(["shadow-count-rules:1/pin"], outcome.Prediction!.rules_fired);
        Assert.Equal(["shadow-count-rules:1/pin"], Assert.Single(outcome.Shadows).rules_fired); // logged with the shadow ...
        Assert.Equal(before + 1, fired.Value); // ... but only the served prediction counts
    }
}
