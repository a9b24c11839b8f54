using Microsoft.Extensions.Options;
using MlOps.Common.Alerts;
using MlOps.Common.Features;
using MlOps.Common.Hosting;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Inference.Serving;

namespace MlOps.Inference;

/// <summary>The Inference service's wiring: registry watcher, serving state, scorer, Kafka path and HTTP path.</summary>
public static class InferenceServiceExtensions
{
    public const string ServiceName = "inference";

    /// <summary>The whole service as Program.cs runs it; tests and benchmarks host exactly this.</summary>
    public static WebApplication BuildInferenceApp(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(ServiceName);
        builder.AddInferenceServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapInferenceEndpoints();
        return app;
    }

    public static WebApplicationBuilder AddInferenceServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSpecProvider(builder.Configuration, InferenceOptions.Section);
        services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddKafkaPlumbing();
        services.AddGuardedAvroDeserializer<EventEnvelope>();
        services.AddGuardedAvroDeserializer<ModelVersion>();
        services.AddGuardedAvroDeserializer<Deployment>();
        services.AddGuardedAvroDeserializer<RuleSet>();
        services.AddSingleton<FeatureStoreReader>();
        services.AddSingleton(sp => new AlertPublisher(sp.GetRequiredService<AvroPublisher>(), sp.GetRequiredService<TimeProvider>(), ServiceName));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
            var state = new ServingState(version => RegistryWatcher.Load(options, version), sp.GetRequiredService<ILogger<ServingState>>());
            var alerts = sp.GetRequiredService<AlertPublisher>();
            var specs = sp.GetRequiredService<SpecProvider>();
            var logger = sp.GetRequiredService<ILogger<ServingState>>();
            state.ModelRefused += (model, reason, message) => Raise(alerts, specs, logger, "ModelVersionRefused", AlertSeverity.critical, message,
                ("model", model), ("reason", reason));
            state.RuleSetRefused += (ruleSet, version, reason, message) => Raise(alerts, specs, logger, "RuleSetRefused", AlertSeverity.critical, message,
                ("rule_set", ruleSet), ("version", version), ("reason", reason));
            state.DeploymentRefused += (deployment, reason, message) => Raise(alerts, specs, logger, "DeploymentRefused", AlertSeverity.critical, message,
                ("deployment", deployment), ("reason", reason));
            return state;
        });
        services.AddSingleton(sp =>
        {
            var scorer = new Scorer(sp.GetRequiredService<ServingState>(), sp.GetRequiredService<SpecProvider>(),
                sp.GetRequiredService<FeatureStoreReader>(), sp.GetRequiredService<TimeProvider>());
            var alerts = sp.GetRequiredService<AlertPublisher>();
            var specs = sp.GetRequiredService<SpecProvider>();
            var logger = sp.GetRequiredService<ILogger<Scorer>>();
            var throttle = new AlertThrottle(sp.GetRequiredService<TimeProvider>(), TimeSpan.FromMinutes(5));
            // A failing model is served around by the fallback chain; the operator hears of it once per 5 minutes
            // per deployment, model and reason (the alert's fingerprint), not once per row.
            scorer.ModelFailed += (deployment, model, failure) =>
            {
                if (throttle.ShouldRaise($"{deployment}|{model}|{failure.Code}"))
                {
                    Raise(alerts, specs, logger, "ModelFallback", AlertSeverity.warning, failure.Detail,
                        ("deployment", deployment), ("model", model), ("reason", failure.Code));
                }
            };
            // A failing shadow serves nothing and falls back to nothing: its own alert, throttled the same way.
            scorer.ShadowFailed += (deployment, arm, model, failure) =>
            {
                if (throttle.ShouldRaise($"shadow|{deployment}|{model}|{failure.Code}"))
                {
                    Raise(alerts, specs, logger, "ShadowModelFailed", AlertSeverity.warning, failure.Detail,
                        ("deployment", deployment), ("arm", arm), ("model", model), ("reason", failure.Code));
                }
            };
            return scorer;
        });
        services.AddSingleton(sp => new PredictionLog(sp.GetRequiredService<AvroPublisher>(), sp.GetRequiredService<ILogger<PredictionLog>>())
        {
            Topic = sp.GetRequiredService<IOptions<InferenceOptions>>().Value.PredictionsTopic,
        });
        services.AddSingleton<RegistryWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistryWatcher>());
        services.AddHealthChecks().AddCheck<RegistryWatcher>("registry", tags: [HealthCheckTags.Ready]);

        var options = builder.Configuration.GetSection(InferenceOptions.Section).Get<InferenceOptions>() ?? new InferenceOptions();
        services.AddKafkaConsumer<ValidatedEventsScorer>(new ConsumerWorkerOptions
        {
            Name = "inference-validated",
            Topics = [options.Topic],
            GroupId = options.GroupId,
            MaxBatchSize = options.MaxBatchSize,
            OverlapBatches = true,
        });
        return builder;
    }

    public static WebApplication MapInferenceEndpoints(this WebApplication app)
    {
        app.MapPost(PredictEndpoint.Path, PredictEndpoint.HandleAsync);
        app.MapGet("/v1/models", (ServingState state) => Results.Json(new
        {
            deployments = state.Current.Routes.Select(r => new
            {
                deployment = r.Key,
                event_types = r.Deployment.event_types,
                tenant = r.Deployment.tenant_id,
                revision = r.Deployment.revision,
                routing_key = r.Deployment.routing_key,
                model = r.ChampionModel.Model.Key,
                sha256 = r.ChampionModel.Model.Version.artifact_sha256,
                arms = r.Deployment.arms.Select(a => new { a.name, model = r.Arms[a.name].Model.Key, weight = a.traffic_weight, a.shadow, output_rules = r.ArmRules.GetValueOrDefault(a.name)?.Key }),
                fallback = r.Fallbacks.Select(f => f.Model.Key),
                fallback_constant = r.Deployment.fallback_constant,
                output_rules = r.Rules?.Key,
                shadow_rules = r.ShadowRules?.Key,
                inputs = r.ChampionModel.Model.Inputs.Select(i => new { i.feature, i.onnx_input, i.type, i.shape, @default = i.default_value }),
            }),
            refused = state.Refused,
        }));
        _ = app.Services.GetRequiredService<SpecProvider>();
        return app;
    }

    /// <summary>Publishes an alert (fingerprinted by its name and labels) without failing the caller.</summary>
    /// <summary>Publishes an Inference alert in the background, labelled with the service first; a failed publish is logged.</summary>
    private static void Raise(AlertPublisher alerts, SpecProvider specs, ILogger logger, string name, AlertSeverity severity, string message,
        params (string Name, string Value)[] labels)
    {
        var all = new Dictionary<string, string> { ["service"] = ServiceName };
        foreach (var (label, value) in labels)
        {
            all[label] = value;
        }
        _ = RaiseAsync(alerts, specs, logger, new AlertRequest(name, severity, all, new Dictionary<string, string> { ["message"] = message }));
    }

    private static async Task RaiseAsync(AlertPublisher alerts, SpecProvider specs, ILogger logger, AlertRequest alert)
    {
        try
        {
            await alerts.PublishAsync(alert, specs.Current.VersionTag, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not publish alert {Alert} {Labels}", alert.AlertName, string.Join(",", alert.Labels));
        }
    }
}
