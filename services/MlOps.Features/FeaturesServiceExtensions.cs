using MlOps.Common.Features;
using MlOps.Common.Hosting;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Features.Store;

namespace MlOps.Features;

/// <summary>The Features service's wiring: spec, Redis writer and reader, consumer of events.validated, read API.</summary>
public static class FeaturesServiceExtensions
{
    public const string ServiceName = "features";

    /// <summary>The whole service as Program.cs runs it; tests and benchmarks host exactly this.</summary>
    public static WebApplication BuildFeaturesApp(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(ServiceName);
        builder.AddFeaturesServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapFeaturesEndpoints();
        return app;
    }

    public static WebApplicationBuilder AddFeaturesServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSpecProvider(builder.Configuration, FeaturesOptions.Section);
        services.AddOptions<FeaturesOptions>().BindConfiguration(FeaturesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddKafkaPlumbing();
        services.AddGuardedAvroDeserializer<EventEnvelope>();
        services.AddSingleton<RedisFeatureWriter>();
        services.AddSingleton<FeatureStoreReader>();
        services.AddSingleton<FeatureUpdatePublisher>();
        services.AddSingleton<LayoutRegistry>();
        // Before the consumer: a layout conflict fails the start; the handler writes nothing until the check passed.
        services.AddSingleton<LayoutGuard>();
        services.AddHostedService(sp => sp.GetRequiredService<LayoutGuard>());

        var options = builder.Configuration.GetSection(FeaturesOptions.Section).Get<FeaturesOptions>() ?? new FeaturesOptions();
        services.AddKafkaConsumer<ValidatedEventsHandler>(new ConsumerWorkerOptions
        {
            Name = "features-validated",
            Topics = [options.Topic],
            GroupId = options.GroupId,
            MaxBatchSize = options.MaxBatchSize,
            OverlapBatches = true,
        });
        return builder;
    }

    public static WebApplication MapFeaturesEndpoints(this WebApplication app)
    {
        app.MapGet("/v1/features/{view}/{entity}", FeatureReadEndpoints.ReadOneAsync);
        app.MapPost("/v1/features/read", FeatureReadEndpoints.ReadManyAsync);
        app.MapGet("/v1/features", (SpecProvider specs) => Results.Json(specs.Current.FeatureViews.Values.Select(v => new
        {
            view = v.Name,
            version = v.Version,
            entity = v.EntityAttributes,
            sources = v.Sources,
            ttl_seconds = v.Ttl.TotalSeconds,
            allowed_lateness_seconds = v.AllowedLateness.TotalSeconds,
            features = v.FeatureNames,
        })));
        _ = app.Services.GetRequiredService<SpecProvider>();
        return app;
    }
}
