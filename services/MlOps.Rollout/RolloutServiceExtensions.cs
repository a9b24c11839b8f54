using Microsoft.Extensions.Options;
using MlOps.Common.Alerts;
using MlOps.Common.Hosting;
using MlOps.Common.Kafka;
using MlOps.Contracts;

namespace MlOps.Rollout;

/// <summary>The Rollout controller's wiring: state watcher, predictions consumer, evaluator, publisher and HTTP view.</summary>
public static class RolloutServiceExtensions
{
    public const string ServiceName = "rollout";

    /// <summary>The whole service as Program.cs runs it; tests host exactly this.</summary>
    public static WebApplication BuildRolloutApp(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(ServiceName, ServiceDependencies.Kafka | ServiceDependencies.SchemaRegistry);
        builder.AddRolloutServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapRolloutEndpoints();
        return app;
    }

    public static WebApplicationBuilder AddRolloutServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RolloutOptions>().BindConfiguration(RolloutOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddKafkaPlumbing();
        services.AddGuardedAvroDeserializer<MlOps.Contracts.Rollout>();
        services.AddGuardedAvroDeserializer<Deployment>();
        services.AddGuardedAvroDeserializer<RolloutEvent>();
        services.AddGuardedAvroDeserializer<Prediction>();
        services.AddSingleton(sp => new AlertPublisher(sp.GetRequiredService<AvroPublisher>(), sp.GetRequiredService<TimeProvider>(), ServiceName));
        services.AddSingleton<IRolloutPublisher, RolloutPublisher>();
        services.AddSingleton<RolloutDriver>();
        services.AddSingleton<RolloutController>();
        services.AddSingleton<RolloutWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<RolloutWatcher>());
        services.AddHostedService<RolloutEvaluator>();
        services.AddHealthChecks().AddCheck<RolloutWatcher>("rollout-state", tags: [HealthCheckTags.Ready]);

        var options = builder.Configuration.GetSection(RolloutOptions.Section).Get<RolloutOptions>() ?? new RolloutOptions();
        services.AddKafkaConsumer<PredictionsHandler>(new ConsumerWorkerOptions
        {
            Name = "rollout-predictions",
            Topics = [options.PredictionsTopic],
            GroupId = options.GroupId,
            MaxBatchSize = options.MaxBatchSize,
        });
        return builder;
    }

    public static WebApplication MapRolloutEndpoints(this WebApplication app)
    {
        // Built under the controller's lock: the stage windows change as predictions are counted.
        app.MapGet("/v1/rollouts", (RolloutController controller) => Results.Json(new
        {
            rollouts = controller.Locked(() => controller.Rollouts().Select(r => new
            {
                key = r.Key,
                candidate = r.Candidate.ToString(),
                champion = r.Champion?.ModelKey,
                phase = r.Phase.ToString(),
                stage = r.Spec.stages.Count > r.StageIndex ? r.Spec.stages[r.StageIndex].name : null,
                stage_started_at = r.Phase == Control.RolloutPhase.Pending ? (DateTimeOffset?)null : r.StageStartedAt,
                reason = r.LastReason,
                metrics = r.Metrics.Snapshot(),
                revision = r.Spec.revision,
            }).ToList()),
        }));
        return app;
    }
}
