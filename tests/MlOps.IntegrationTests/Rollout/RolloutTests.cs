using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Common.Kafka;
using MlOps.Contracts;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Rollout;
using MlOps.Stack;
using RolloutSpec = MlOps.Contracts.Rollout;

namespace MlOps.IntegrationTests.Rollout;

/// <summary>
/// The Rollout service on the embedded stack, fed synthetic predictions for the champion and candidate arms: passing
/// metrics carry a rollout through its stages to completion; a candidate falling back too often is rolled back, the
/// champion republished alone and an alert raised. Every transition is read back from mlops.rollout-events.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class RolloutTests(StackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_candidate_within_its_gates_advances_through_every_stage_and_becomes_the_champion()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var deployment = $"rollout-it-{run}";
        var predictions = await stack.CreateTopicAsync("rollout-predictions", 2);
        await using var service = await StartAsync(predictions);
        await PublishAsync(TopicCatalog.Deployments, deployment, Deployment(deployment));
        await PublishAsync(TopicCatalog.Rollouts, deployment, Rollout(deployment,
            Stage("shadow", 0, shadow: true, (GateName.Error, 0.1), (GateName.Shift, 0.2)),
            Stage("canary", 0.25, shadow: false, (GateName.Fallback, 0.1), (GateName.Latency, 50)),
            Stage("full", 1, shadow: false, (GateName.Error, 0.1))));

        var events = await FeedUntilAsync(predictions, deployment, candidateFallsBack: false, RolloutActionNames.Completed);

        Assert.Equal(
            ["started:-→shadow", "advanced:shadow→canary", "advanced:canary→full", "completed:full→-"],
            events.Select(e => $"{e.action}:{e.from_stage ?? "-"}→{e.to_stage ?? "-"}"));
        Assert.All(events, e => Assert.NotNull(e.deployment_revision));
        Assert.Contains("passed", events[^1].reason);
        var final = await LatestDeploymentAsync(deployment, events[^1].deployment_revision!.Value);
        Assert.Equal(("champion", "m-candidate", "2", 1.0), final.arms.Select(a => (a.name, a.model_name, a.model_version, a.traffic_weight)).Single());
        Assert.Equal(["departure"], final.event_types);
        Assert.Equal(events[^1].reason, final.change_reason);
    }

    [Fact]
    public async Task A_rule_set_candidate_is_shadow_evaluated_then_served_by_a_candidate_arm_and_becomes_the_deployments_rules()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var deployment = $"rollout-it-{run}";
        var predictions = await stack.CreateTopicAsync("rollout-predictions", 2);
        await using var service = await StartAsync(predictions);
        var inForce = Deployment(deployment);
        inForce.output_rules = "delay-rules:1";
        await PublishAsync(TopicCatalog.Deployments, deployment, inForce);
        var rollout = Rollout(deployment,
            Stage("shadow", 0, shadow: true, (GateName.Error, 0.1), (GateName.Shift, 0.2)),
            Stage("canary", 0.25, shadow: false, (GateName.Fallback, 0.1), (GateName.Shift, 0.2)),
            Stage("full", 1, shadow: false, (GateName.Error, 0.1)));
        (rollout.candidate_model, rollout.candidate_rules) = ("", "delay-rules:2");
        await PublishAsync(TopicCatalog.Rollouts, deployment, rollout);

        // Both arms run the champion's model; the champion's predictions carry the shadow set's decision.
        var events = await FeedUntilAsync(deployment, RolloutActionNames.Completed, predictions, n =>
        [
            RulesPrediction(Prediction(deployment, "champion", "m-champion:1", fallsBack: false, n), "delay-rules:1", shadowDecision: "positive"),
            RulesPrediction(Prediction(deployment, "candidate", "m-champion:1", fallsBack: false, n), "delay-rules:2", shadowDecision: null),
        ]);

        Assert.Equal(
            ["started:-→shadow", "advanced:shadow→canary", "advanced:canary→full", "completed:full→-"],
            events.Select(e => $"{e.action}:{e.from_stage ?? "-"}→{e.to_stage ?? "-"}"));
        Assert.All(events, e => Assert.Equal(("", "delay-rules:2"), (e.candidate_model, e.candidate_rules)));
        Assert.Contains("rollout of rules delay-rules:2", events[0].reason);
        Assert.Equal(0, events[1].metrics["score_shift"]);
        var shadow = await DeploymentAtAsync(deployment, events[0].deployment_revision!.Value);
        Assert.Equal(("delay-rules:1", "delay-rules:2"), (shadow.output_rules, shadow.shadow_rules));
        Assert.Equal(("champion", "m-champion", 1.0), shadow.arms.Select(a => (a.name, a.model_name, a.traffic_weight)).Single());
        var canary = await DeploymentAtAsync(deployment, events[1].deployment_revision!.Value);
        Assert.Equal([("champion", "1", 0.75, (string?)null), ("candidate", "1", 0.25, "delay-rules:2")],
            canary.arms.Select(a => (a.name, a.model_version, a.traffic_weight, (string?)a.output_rules)));
        Assert.Null(canary.shadow_rules);
        var final = await LatestDeploymentAsync(deployment, events[^1].deployment_revision!.Value);
        Assert.Equal(("champion", "m-champion", "1", 1.0, (string?)null),
            final.arms.Select(a => (a.name, a.model_name, a.model_version, a.traffic_weight, (string?)a.output_rules)).Single());
        Assert.Equal(("stable", "delay-rules:2", (string?)null), (final.stage, final.output_rules, final.shadow_rules));
    }

    [Fact]
    public async Task A_candidate_breaking_its_fallback_gate_is_rolled_back_to_the_champion_with_an_alert()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var deployment = $"rollout-it-{run}";
        var predictions = await stack.CreateTopicAsync("rollout-predictions", 2);
        await using var service = await StartAsync(predictions);
        await PublishAsync(TopicCatalog.Deployments, deployment, Deployment(deployment));
        await PublishAsync(TopicCatalog.Rollouts, deployment, Rollout(deployment,
            Stage("canary", 0.5, shadow: false, (GateName.Fallback, 0.05)),
            Stage("full", 1, shadow: false)));

        var events = await FeedUntilAsync(predictions, deployment, candidateFallsBack: true, RolloutActionNames.RolledBack);

        Assert.Equal(["started", "rolled_back"], events.Select(e => e.action));
        Assert.Contains("exceeds max 0.05", events[^1].reason);
        Assert.InRange(events[^1].metrics["fallback_rate"], 0.4, 0.6);
        var final = await LatestDeploymentAsync(deployment, events[^1].deployment_revision!.Value);
        Assert.Equal(("champion", "m-champion", "1", 1.0), final.arms.Select(a => (a.name, a.model_name, a.model_version, a.traffic_weight)).Single());
        Assert.Equal("rolled_back", final.stage);
        using var registry = stack.NewRegistryClient();
        using var alerts = new TopicFollower<Alert>(stack.Endpoints.KafkaBootstrap, registry, TopicCatalog.Alerts);
        var seen = new List<Alert>();
        var alert = await Eventually.MatchAsync(
            async _ =>
            {
                await alerts.CatchUpAsync((_, a) => { if (a is not null) seen.Add(a); }, Timeout);
                return seen.FirstOrDefault(a => a.alert_name == RolloutPublisher.RolledBackAlert && a.labels["deployment"] == deployment);
            },
            a => a is not null, Timeout, $"a {RolloutPublisher.RolledBackAlert} alert for {deployment}");
        Assert.Equal(AlertSeverity.warning, alert!.severity);
        Assert.Contains("fallback_rate", alert.annotations["reason"]);
    }

    /// <summary>Publishes a round of predictions per poll (made now, so they fall in the current stage) until the action appears.</summary>
    private Task<List<RolloutEvent>> FeedUntilAsync(string topic, string deployment, bool candidateFallsBack, string action) =>
        FeedUntilAsync(deployment, action, topic, n =>
        [
            Prediction(deployment, "champion", "m-champion:1", fallsBack: false, n),
            Prediction(deployment, "candidate", "m-candidate:2", candidateFallsBack && n % 2 == 0, n),
        ]);

    /// <summary>Publishes four rounds of <paramref name="round"/>'s predictions per poll until the action appears.</summary>
    private async Task<List<RolloutEvent>> FeedUntilAsync(string deployment, string action, string topic, Func<int, Prediction[]> round)
    {
        using var registry = stack.NewRegistryClient();
        using var events = new TopicFollower<RolloutEvent>(stack.Endpoints.KafkaBootstrap, registry, TopicCatalog.RolloutEvents);
        var mine = new List<RolloutEvent>();
        using var producer = new ProducerBuilder<string, Prediction>(new ProducerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap, LingerMs = 0 })
            .SetValueSerializer(new AvroSerializer<Prediction>(registry))
            .Build();
        var sent = 0;
        try
        {
            return await FeedAsync();
        }
        catch (TimeoutException ex) when (_service is not null)
        {
            // Say where each rollout stood: the transitions seen, the controller's own view (phase, stage, reason) and what it logged.
            var view = await _service.Client.GetStringAsync("/v1/rollouts");
            throw new TimeoutException($"{ex.Message}; transitions seen: [{string.Join(", ", mine.Select(e => $"{e.action}:{e.to_stage}"))}] " +
                $"after {sent} rounds; GET /v1/rollouts: {view}; the controller's recent warnings: [{string.Join(" | ", _service.Logs.Lines)}]", ex);
        }

        Task<List<RolloutEvent>> FeedAsync() => Eventually.MatchAsync(
            async _ =>
            {
                for (var i = 0; i < 4; i++, sent++)
                {
                    foreach (var prediction in round(sent))
                    {
                        await producer.ProduceAsync(topic, new Message<string, Prediction> { Key = prediction.prediction_id, Value = prediction });
                    }
                }
                await events.CatchUpAsync((key, e) => { if (key == deployment && e is not null) mine.Add(e); }, Timeout);
                return mine;
            },
            list => list.Any(e => e.action == action), Timeout, $"'{action}' on {TopicCatalog.RolloutEvents} for {deployment}");
    }

    /// <summary>The deployment at that revision, once it is the newest on mlops.deployments.</summary>
    private Task<Deployment> LatestDeploymentAsync(string deployment, long revision) =>
        DeploymentAsync(deployment, seen => seen.MaxBy(d => d.revision) is { } latest && latest.revision == revision ? latest : null, $"{deployment} at revision {revision}");

    /// <summary>The deployment at that revision, once published (newer revisions may follow).</summary>
    private Task<Deployment> DeploymentAtAsync(string deployment, long revision) =>
        DeploymentAsync(deployment, seen => seen.FirstOrDefault(d => d.revision == revision), $"{deployment} revision {revision}");

    /// <summary>Follows mlops.deployments until <paramref name="pick"/> finds a record among the deployment's revisions so far.</summary>
    private async Task<Deployment> DeploymentAsync(string deployment, Func<List<Deployment>, Deployment?> pick, string what)
    {
        using var registry = stack.NewRegistryClient();
        using var deployments = new TopicFollower<Deployment>(stack.Endpoints.KafkaBootstrap, registry, TopicCatalog.Deployments);
        var seen = new List<Deployment>();
        return (await Eventually.MatchAsync(
            async _ =>
            {
                await deployments.CatchUpAsync((key, d) => { if (key == deployment && d is not null) seen.Add(d); }, Timeout);
                return pick(seen);
            },
            d => d is not null, Timeout, what))!;
    }

    /// <summary>A prediction as Inference logs it under output rules: the set applied and, on the champion, the shadow set's decision.</summary>
    private static Prediction RulesPrediction(Prediction prediction, string rules, string? shadowDecision)
    {
        var colon = rules.LastIndexOf(':');
        prediction.decision = "positive";
        prediction.rule_versions = new Dictionary<string, string> { [rules[..colon]] = rules[(colon + 1)..] };
        prediction.shadow_decision = shadowDecision;
        return prediction;
    }

    private async Task<InProcessService> StartAsync(string predictionsTopic) =>
        _service = await InProcessService.StartAsync(stack.Endpoints, b => b.BuildRolloutApp(), new Dictionary<string, string?>
        {
            ["Rollout:PredictionsTopic"] = predictionsTopic,
            ["Rollout:GroupId"] = StackFixture.NewGroupId("rollout"),
            ["Rollout:EvaluateEvery"] = "00:00:00.100",
        });

    /// <summary>The service the test started, asked what it thinks when a wait times out.</summary>
    private InProcessService? _service;

    private async Task PublishAsync<T>(string topic, string key, T value) where T : ISpecificRecord
    {
        using var registry = stack.NewRegistryClient();
        using var producer = new ProducerBuilder<string, T>(new ProducerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap })
            .SetValueSerializer(new AvroSerializer<T>(registry))
            .Build();
        await producer.ProduceAsync(topic, new Message<string, T> { Key = key, Value = value });
    }

    private static Deployment Deployment(string name) => new()
    {
        deployment = name,
        event_types = ["departure"],
        arms = [new DeploymentArm { name = "stable", model_name = "m-champion", model_version = "1", traffic_weight = 1 }],
        fallback = [],
        revision = 1,
        spec_version = "it",
        updated_at = DateTime.UtcNow,
    };

    private static RolloutSpec Rollout(string deployment, params RolloutStage[] stages) => new()
    {
        deployment = deployment,
        candidate_model = "m-candidate:2",
        stages = stages.ToList(),
        approvals = [],
        revision = 1,
        created_at = DateTime.UtcNow,
    };

    private static RolloutStage Stage(string name, double weight, bool shadow, params (string Metric, double Max)[] gates) => new()
    {
        name = name,
        traffic_weight = weight,
        shadow = shadow,
        min_duration_ms = 0,
        min_samples = 20,
        gates = gates.Select(g => new RolloutGate { metric = g.Metric, max = g.Max }).ToList(),
    };

    private static Prediction Prediction(string deployment, string arm, string model, bool fallsBack, int n)
    {
        var colon = model.IndexOf(':', StringComparison.Ordinal);
        return new Prediction
        {
            prediction_id = $"{deployment}-{arm}-{n}",
            tenant_id = "airline-a",
            entity_id = $"FL{n}",
            event_time = DateTime.UtcNow,
            deployment = deployment,
            arm = arm,
            is_shadow = false,
            model_name = model[..colon],
            model_version = model[(colon + 1)..],
            scores = new Dictionary<string, double> { ["probability"] = arm == "candidate" ? 0.31 : 0.3 },
            decision = "on_time",
            fallback_reason = fallsBack ? "timeout" : null,
            served_by = fallsBack ? "fallback:constant" : "arm",
            served_features = new Dictionary<string, object>(),
            latency_ms = 5,
            latency_model_ms = 2,
            spec_version = "it",
            predicted_at = DateTime.UtcNow,
            lineage = new Lineage(),
        };
    }

    private static class GateName
    {
        public const string Error = "error_rate";
        public const string Fallback = "fallback_rate";
        public const string Latency = "latency_p99_ms";
        public const string Shift = "score_shift";
    }

    private static class RolloutActionNames
    {
        public const string Completed = "completed";
        public const string RolledBack = "rolled_back";
    }
}
