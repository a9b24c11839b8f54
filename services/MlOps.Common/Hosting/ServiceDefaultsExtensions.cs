using MlOps.Common.Kafka;
using MlOps.Common.Redis;
using MlOps.Common.SchemaRegistry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace MlOps.Common.Hosting;

/// <summary>What every MLOps service shares: configuration, validated options, logging, health and metrics.</summary>
public static class ServiceDefaultsExtensions
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// Maps the stack.env aliases, binds and validates on start the options of each dependency in
    /// <paramref name="dependencies"/>, registers their readiness checks and sets up console logging.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(
        this TBuilder builder, string serviceName, ServiceDependencies dependencies = ServiceDependencies.All)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);

        builder.Configuration.AddEnvironmentAliases(Environment.GetEnvironmentVariables());
        // Lowest priority: any configured Kafka:ClientId wins over the service name.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new($"{KafkaOptions.Section}:ClientId", serviceName)],
        });

        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        var services = builder.Services;
        // Every error answer is problem+json: an unhandled failure (500) and an empty error status (a framework 400, a
        // 404 for an unknown route) get a body that says what it is, not an empty response.
        services.AddProblemDetails();
        var health = services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy("Process is running."), [HealthCheckTags.Live]);

        if (dependencies.HasFlag(ServiceDependencies.Kafka))
        {
            AddValidatedOptions<KafkaOptions>(services, KafkaOptions.Section);
            services.TryAddSingleton(KafkaAdminClientFactory.Create);
            health.AddCheck<KafkaHealthCheck>("kafka", tags: [HealthCheckTags.Ready]);
        }

        if (dependencies.HasFlag(ServiceDependencies.SchemaRegistry))
        {
            AddValidatedOptions<SchemaRegistryOptions>(services, SchemaRegistryOptions.Section);
        }

        if (dependencies.HasFlag(ServiceDependencies.Redis))
        {
            AddValidatedOptions<RedisOptions>(services, RedisOptions.Section)
                .Validate(o => IsRedisConfiguration(o.Configuration), "Redis:Configuration (or REDIS_URL) must be host:port[,options] or redis://[[user]:password@]host[:port][/db].");
            services.AddRedisConnection(serviceName);
            health.AddCheck<RedisHealthCheck>("redis", tags: [HealthCheckTags.Ready]);
        }

        return builder;
    }

    /// <summary>
    /// Maps <c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c>, counts HTTP requests, and answers errors
    /// without a body of their own as problem+json.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseExceptionHandler();
        app.UseStatusCodePages();

        app.UseHttpMetrics();
        app.MapHealthChecks(LivePath, HealthOptions(HealthCheckTags.Live));
        app.MapHealthChecks(ReadyPath, HealthOptions(HealthCheckTags.Ready));
        app.MapMetrics(MetricsPath);
        return app;
    }

    private static OptionsBuilder<T> AddValidatedOptions<T>(IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    // Empty is left to [Required], so a missing setting is reported once, by name.
    private static bool IsRedisConfiguration(string configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            return true;
        }

        try
        {
            StackExchange.Redis.ConfigurationOptions.Parse(RedisUrl.ToConfiguration(configuration));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static HealthCheckOptions HealthOptions(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = HealthReportJsonWriter.WriteAsync,
    };
}
