using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Contracts;
using MlOps.Inference;
using MlOps.Inference.Serving;
using MlOps.IntegrationTests.Features;
using MlOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static MlOps.IntegrationTests.Inference.InferenceScenario;

namespace MlOps.IntegrationTests.Inference;

/// <summary>
/// Deployments with several arms on the embedded stack, with the real flight-delay model: hash-routed traffic
/// splits and shadows, per-tenant models, and the fallback chain with its reason and alert.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class StagedDeploymentTests(StackFixture stack, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Traffic_splits_by_hash_bucket_and_a_shadow_is_logged_for_every_event_but_never_answered()
    {
        var scenario = Create();
        var (scored, predictions) = (await stack.CreateTopicAsync("staged-split", 4), await stack.CreateTopicAsync("staged-split-predictions", 4));
        var (champion, challenger, shadow) = (await scenario.RegisterAsync(stack, "1"), await scenario.RegisterAsync(stack, "2"), await scenario.RegisterAsync(stack, "3"));
        await using var inference = await StartInferenceAsync(stack.Endpoints, scenario.InferenceSettings(scored, predictions));
        var deployment = scenario.Deployment(1, Arm("champion", champion, 0.5), Arm("challenger", challenger, 0.5), Arm("shadow", shadow, 0, shadow: true));
        await scenario.DeployAsync(stack, deployment);
        await WaitForRevisionAsync(inference, scenario.DeploymentName, 1, Timeout);

        var events = scenario.Departures("k", 60, seed: 3, DateTime.UtcNow.AddMinutes(-30), TimeSpan.FromSeconds(10));
        await FeatureScenario.ProduceAsync(stack, scored, events);
        var http = scenario.Departures("h", 4, seed: 4, DateTime.UtcNow.AddMinutes(-1), TimeSpan.FromSeconds(1));
        var answered = await PredictAsync(inference.Client, http);
        var logged = (await ReadPredictionsAsync(stack, predictions, 2 * (events.Count + http.Count), Timeout)).Select(l => l.Prediction).ToList();

        // HTTP answers the served arm only; the log has the served prediction and the shadow's for every event.
        Assert.Equal(http.Count, answered.Count);
        Assert.All(answered, a => Assert.NotEqual("shadow", a.GetProperty("arm").GetString()));
        foreach (var e in events.Concat(http))
        {
            var own = logged.Where(p => p.event_id == e.event_id).ToList();
            var served = Assert.Single(own, p => !p.is_shadow);
            var shadowed = Assert.Single(own, p => p.is_shadow);
            var bucket = ArmRouter.Bucket(scenario.DeploymentName, e.entity_id);
            Assert.Equal((bucket, ArmRouter.Choose(deployment, bucket)!.name), (served.route_bucket, served.arm));
            Assert.Equal(served.arm == "champion" ? "1" : "2", served.model_version);
            Assert.Equal(("shadow", "3", "arm"), (shadowed.arm, shadowed.model_version, shadowed.served_by));
            Assert.NotEqual(served.prediction_id, shadowed.prediction_id);
        }
        var perArm = logged.Where(p => !p.is_shadow).GroupBy(p => p.arm).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"served per arm: {string.Join(", ", perArm.Select(a => $"{a.Key} {a.Value}"))}");
        Assert.Equal(["challenger", "champion"], perArm.Keys.Order());
    }

    [Fact]
    public async Task A_tenants_own_model_serves_that_tenant_only()
    {
        var scenario = Create();
        var (scored, predictions) = (await stack.CreateTopicAsync("staged-tenant", 4), await stack.CreateTopicAsync("staged-tenant-predictions", 4));
        var (shared, own) = (await scenario.RegisterAsync(stack, "1"), await scenario.RegisterAsync(stack, "2"));
        await using var inference = await StartInferenceAsync(stack.Endpoints, scenario.InferenceSettings(scored, predictions));
        var vip = scenario.Deployment(1, Arm("champion", own, 1));
        vip.tenant_id = "airline-vip";
        await scenario.DeployAsync(stack, scenario.Deployment(1, Arm("champion", shared, 1)));
        await scenario.DeployAsync(stack, vip);
        await WaitForRevisionAsync(inference, $"{scenario.DeploymentName}/airline-vip", 1, Timeout);
        await WaitForRevisionAsync(inference, scenario.DeploymentName, 1, Timeout);

        var events = scenario.Departures("t", 40, seed: 5, DateTime.UtcNow.AddMinutes(-30), TimeSpan.FromSeconds(10));
        foreach (var e in events.Where((_, i) => i % 2 == 0))
        {
            e.tenant_id = "airline-vip";
        }
        await FeatureScenario.ProduceAsync(stack, scored, events);
        var logged = (await ReadPredictionsAsync(stack, predictions, events.Count, Timeout)).Select(l => l.Prediction).ToList();

        Assert.Equal(events.Count, logged.Count);
        Assert.All(logged, p => Assert.Equal(p.tenant_id == "airline-vip" ? "2" : "1", p.model_version));
        Assert.Equal(20, logged.Count(p => p.model_version == "2"));
    }

    [Fact]
    public async Task A_model_that_cannot_serve_falls_back_along_the_chain_with_the_reason_recorded_and_an_alert_raised()
    {
        var scenario = Create();
        var (scored, predictions) = (await stack.CreateTopicAsync("staged-fallback", 2), await stack.CreateTopicAsync("staged-fallback-predictions", 2));
        // v2 requires its view features (no default) and the store has none for this run: it cannot score any event.
        var strict = await scenario.RegisterAsync(stack, "2", i => i.Feature.StartsWith("event.", StringComparison.Ordinal) ? i : i with { Default = null });
        var tolerant = await scenario.RegisterAsync(stack, "1");
        await using var inference = await StartInferenceAsync(stack.Endpoints, scenario.InferenceSettings(scored, predictions));
        var chain = scenario.Deployment(1, Arm("champion", strict, 1));
        chain.fallback = [Ref(tolerant)];
        await scenario.DeployAsync(stack, chain);
        await WaitForRevisionAsync(inference, scenario.DeploymentName, 1, Timeout);

        var first = scenario.Departures("f", 10, seed: 6, DateTime.UtcNow.AddMinutes(-10), TimeSpan.FromSeconds(10));
        await FeatureScenario.ProduceAsync(stack, scored, first);
        var byModel = (await ReadPredictionsAsync(stack, predictions, first.Count, Timeout)).Select(l => l.Prediction).ToList();
        Assert.Equal(first.Count, byModel.Count);
        Assert.All(byModel, p =>
        {
            Assert.Equal(("champion", $"fallback:{Ref(tolerant)}", "1"), (p.arm, p.served_by, p.model_version));
            Assert.StartsWith($"missing_required_feature: {Ref(strict)}: required feature", p.fallback_reason);
            Assert.True(p.scores.ContainsKey("probability"));
        });

        // Revision 2: every run is over its time limit (0 ms), so neither model serves and the constant does.
        var constant = scenario.Deployment(2, Arm("champion", tolerant, 1));
        constant.model_timeout_ms = 0;
        constant.fallback_constant = 0.25;
        await scenario.DeployAsync(stack, constant);
        await WaitForRevisionAsync(inference, scenario.DeploymentName, 2, Timeout);
        var answered = await PredictAsync(inference.Client, scenario.Departures("c", 3, seed: 7, DateTime.UtcNow.AddMinutes(-1), TimeSpan.FromSeconds(1)));
        Assert.All(answered, a =>
        {
            Assert.Equal(("fallback:constant", 0.25, "constant:0.25"),
                (a.GetProperty("served_by").GetString(), a.GetProperty("probability").GetDouble(), a.GetProperty("model").GetString()));
            Assert.StartsWith("timeout: ", a.GetProperty("fallback_reason").GetString());
        });

        var alerts = await ReadAsync<Alert>(stack, TopicCatalog.Alerts,
            a => a.alert_name == "ModelFallback" && a.labels.TryGetValue("deployment", out var d) && d == scenario.DeploymentName, 2, Timeout);
        (string, string)[] expected = [(Ref(strict), ScoringFailure.MissingRequiredFeature), (Ref(tolerant), ScoringFailure.Timeout)];
        Assert.Equal(expected.Order(), alerts.Select(a => (a.Value.labels["model"], a.Value.labels["reason"])).Order());
    }

    [Fact]
    public async Task Output_rules_change_what_is_served_and_say_so_while_a_shadow_rule_set_is_only_logged()
    {
        var scenario = Create();
        var (scored, predictions) = (await stack.CreateTopicAsync("staged-rules", 2), await stack.CreateTopicAsync("staged-rules-predictions", 2));
        var model = await scenario.RegisterAsync(stack, "1");
        var name = $"rules-{scenario.Run}";
        await scenario.PublishRuleSetAsync(stack, new RuleSet
        {
            name = name,
            version = "1",
            rules =
            [
                new OutputRule { name = "cap", kind = "clamp", max = 0.3 },
                new OutputRule { name = "vip", kind = "override", tenants = ["airline-vip"], decision = "review" },
            ],
            created_at = DateTime.UtcNow,
        });
        await scenario.PublishRuleSetAsync(stack, new RuleSet
        {
            name = name,
            version = "2",
            rules = [new OutputRule { name = "unsure", kind = "abstain", threshold = 0.999 }],
            created_at = DateTime.UtcNow,
        });
        await using var inference = await StartInferenceAsync(stack.Endpoints, scenario.InferenceSettings(scored, predictions));
        var deployment = scenario.Deployment(1, Arm("champion", model, 1));
        (deployment.output_rules, deployment.shadow_rules) = ($"{name}:1", $"{name}:2");
        await scenario.DeployAsync(stack, deployment);
        await WaitForRevisionAsync(inference, scenario.DeploymentName, 1, Timeout);

        var events = scenario.Departures("r", 30, seed: 8, DateTime.UtcNow.AddMinutes(-30), TimeSpan.FromSeconds(10));
        foreach (var e in events.Where((_, i) => i % 3 == 0))
        {
            e.tenant_id = "airline-vip";
        }
        await FeatureScenario.ProduceAsync(stack, scored, events);
        var logged = (await ReadPredictionsAsync(stack, predictions, events.Count, Timeout)).Select(l => l.Prediction).ToList();

        Assert.Equal(events.Count, logged.Count);
        foreach (var p in logged)
        {
            var modelProbability = p.scores.TryGetValue("model_probability", out var raw) ? raw : p.scores["probability"];
            var capped = modelProbability > 0.3;
            var vip = p.tenant_id == "airline-vip";
            Assert.Equal("1", p.rule_versions[name]);
            Assert.Equal(capped ? 0.3 : modelProbability, p.scores["probability"], 6);
            Assert.Equal(vip ? "review" : p.scores["probability"] >= 0.5 ? "positive" : "negative", p.decision);
            Assert.Equal(new[] { capped ? $"{name}:1/cap" : null, vip ? $"{name}:1/vip" : null }.OfType<string>(), p.rules_fired);
            Assert.Equal("abstain", p.shadow_decision);
            Assert.Equal([$"{name}:2/unsure"], p.shadow_rules_fired);
        }
        output.WriteLine($"{logged.Count(p => p.rules_fired.Count > 0)} of {logged.Count} predictions changed by rules");
        Assert.Contains(logged, p => p.rules_fired.Contains($"{name}:1/vip"));

        // A deployment naming a rule set nobody published is refused; revision 1 keeps serving.
        var unknown = scenario.Deployment(2, Arm("champion", model, 1));
        unknown.output_rules = $"{name}:9";
        await scenario.DeployAsync(stack, unknown);
        var refused = await Eventually.MatchAsync(
            async ct => (await inference.Client.GetFromJsonAsync<JsonDocument>("/v1/models", ct))!.RootElement.GetProperty("refused").ToString(),
            r => r.Contains($"rules {name}:9", StringComparison.Ordinal), Timeout, $"rule set {name}:9 refused");
        Assert.Contains("rules_not_registered", refused);
        await WaitForRevisionAsync(inference, scenario.DeploymentName, 1, Timeout);

        // It is alerted as a rule set: the first alert naming this run's rule set (as RuleSetRefused's rule_set or,
        // as it used to be, inside ModelVersionRefused's model label) must be RuleSetRefused.
        var alerts = await ReadAsync<Alert>(stack, TopicCatalog.Alerts,
            a => a.labels.Values.Any(v => v.Contains(name, StringComparison.Ordinal)), 1, Timeout);
        var alert = Assert.Single(alerts).Value;
        Assert.Equal(("RuleSetRefused", AlertSeverity.critical), (alert.alert_name, alert.severity));
        Assert.Equal((InferenceServiceExtensions.ServiceName, name, "9", "rules_not_registered"),
            (alert.labels["service"], alert.labels["rule_set"], alert.labels["version"], alert.labels["reason"]));
        Assert.Contains($"rule set {name}:9 is not in", alert.annotations["message"]);
    }

    [Fact]
    public async Task An_arm_naming_its_own_output_rules_serves_them_and_the_other_arm_the_deployments()
    {
        var scenario = Create();
        var (scored, predictions) = (await stack.CreateTopicAsync("staged-arm-rules", 2), await stack.CreateTopicAsync("staged-arm-rules-predictions", 2));
        var model = await scenario.RegisterAsync(stack, "1");
        var name = $"arm-rules-{scenario.Run}";
        foreach (var (version, pinned) in new[] { ("1", 0.2), ("2", 0.8) })
        {
            await scenario.PublishRuleSetAsync(stack, new RuleSet
            {
                name = name,
                version = version,
                rules = [new OutputRule { name = "pin", kind = "clamp", min = pinned, max = pinned }],
                created_at = DateTime.UtcNow,
            });
        }
        await using var inference = await StartInferenceAsync(stack.Endpoints, scenario.InferenceSettings(scored, predictions));
        var candidate = Arm("candidate", model, 0.5);
        candidate.output_rules = $"{name}:2";
        var deployment = scenario.Deployment(1, Arm("champion", model, 0.5), candidate);
        deployment.output_rules = $"{name}:1";
        await scenario.DeployAsync(stack, deployment);
        await WaitForRevisionAsync(inference, scenario.DeploymentName, 1, Timeout);

        var events = scenario.Departures("a", 40, seed: 11, DateTime.UtcNow.AddMinutes(-30), TimeSpan.FromSeconds(10));
        await FeatureScenario.ProduceAsync(stack, scored, events);
        var logged = (await ReadPredictionsAsync(stack, predictions, events.Count, Timeout)).Select(l => l.Prediction).ToList();

        foreach (var p in logged)
        {
            var version = p.arm == "candidate" ? "2" : "1";
            Assert.Equal(version, p.rule_versions[name]);
            Assert.Equal(version == "2" ? 0.8 : 0.2, p.scores["probability"], 6);
            Assert.Equal(version == "2" ? "positive" : "negative", p.decision);
        }
        Assert.Equal(["candidate", "champion"], logged.Select(p => p.arm).Distinct().Order());
        var models = (await inference.Client.GetFromJsonAsync<JsonDocument>("/v1/models"))!.RootElement;
        var arms = models.GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("deployment").GetString() == scenario.DeploymentName)
            .GetProperty("arms").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!, a => a.GetProperty("output_rules").ToString());
        Assert.Equal($"{name}:2", arms["candidate"]);
        Assert.Equal("", arms["champion"]);
    }
}
