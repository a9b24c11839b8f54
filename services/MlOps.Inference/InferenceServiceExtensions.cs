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
        services.AddSingleton<FeatureStoreReader>();
        services.AddSingleton(sp => new AlertPublisher(sp.GetRequiredService<AvroPublisher>(), sp.GetRequiredService<TimeProvider>(), ServiceName));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
            var state = new ServingState(version => RegistryWatcher.Load(options, version), sp.GetRequiredService<ILogger<ServingState>>());
            var alerts = sp.GetRequiredService<AlertPublisher>();
            var specs = sp.GetRequiredService<SpecProvider>();
            var logger = sp.GetRequiredService<ILogger<ServingState>>();
            state.ModelRefused += (model, reason, message) => _ = RaiseAsync(alerts, specs, logger, model, reason, message);
            return state;
        });
        services.AddSingleton<Scorer>();
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
                arm = r.Arm.name,
                model = r.Model.Model.Key,
                sha256 = r.Model.Model.Version.artifact_sha256,
                inputs = r.Model.Model.Inputs.Select(i => new { i.feature, i.onnx_input, i.type, i.shape, @default = i.default_value }),
            }),
            refused = state.Refused,
        }));
        _ = app.Services.GetRequiredService<SpecProvider>();
        return app;
    }

    /// <summary>A refused model version is an operator's problem: alert (fingerprinted by model and reason).</summary>
    private static async Task RaiseAsync(AlertPublisher alerts, SpecProvider specs, ILogger logger, string model, string reason, string message)
    {
        try
        {
            await alerts.PublishAsync(new AlertRequest(
                "ModelVersionRefused",
                AlertSeverity.critical,
                new Dictionary<string, string> { ["service"] = ServiceName, ["model"] = model, ["reason"] = reason },
                new Dictionary<string, string> { ["message"] = message }), specs.Current.VersionTag, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not publish the alert for refused model {Model}", model);
        }
    }
}
