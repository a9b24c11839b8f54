using Microsoft.Extensions.Options;
using MlOps.Common.Hosting;
using MlOps.Common.Alerts;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Ingestion.Http;
using MlOps.Ingestion.Pipeline;
using MlOps.Ingestion.Quality;

namespace MlOps.Ingestion;

/// <summary>The Ingestion service's wiring: spec, pipeline, Kafka consumer of events.raw, HTTP endpoints.</summary>
public static class IngestionServiceExtensions
{
    public const string ServiceName = "ingestion";

    /// <summary>The whole service as Program.cs runs it; tests and benchmarks host exactly this.</summary>
    public static WebApplication BuildIngestionApp(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(ServiceName);
        builder.AddIngestionServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapIngestionEndpoints();
        return app;
    }

    public static WebApplicationBuilder AddIngestionServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestionOptions>, ClaimPendingTtlValidation>();
        services.AddKafkaPlumbing();
        services.AddSpecProvider(builder.Configuration, IngestionOptions.Section);
        services.AddGuardedAvroDeserializer<EventEnvelope>();
        services.AddSingleton<EventDeduplicator>();
        services.AddSingleton<DataQualityEvaluator>();
        services.AddSingleton<DataQualityMonitor>();
        services.AddSingleton(sp => new AlertPublisher(sp.GetRequiredService<AvroPublisher>(), sp.GetRequiredService<TimeProvider>(), ServiceName));
        services.AddSingleton<IngestionPipeline>();

        var options = builder.Configuration.GetSection(IngestionOptions.Section).Get<IngestionOptions>() ?? new IngestionOptions();
        services.AddKafkaConsumer<RawEventsHandler>(new ConsumerWorkerOptions
        {
            Name = "ingestion-raw",
            Topics = [TopicCatalog.EventsRaw],
            GroupId = options.GroupId,
            MaxBatchSize = options.MaxBatchSize,
        });
        return builder;
    }

    public static WebApplication MapIngestionEndpoints(this WebApplication app)
    {
        app.MapPost(EventsEndpoint.Path, EventsEndpoint.HandleAsync);
        app.MapGet("/v1/contracts", (SpecProvider specs) => Results.Json(ContractsView.From(specs.Current)));
        // Loading the spec on start makes an invalid spec fail start-up with its file:line errors, not the first request.
        _ = app.Services.GetRequiredService<SpecProvider>();
        return app;
    }
}
