using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Common.Avro;
using MlOps.Common.SchemaRegistry;

namespace MlOps.Common.Kafka;

/// <summary>Registers the Kafka plumbing: one producer, the schema registry client, Avro publishing, consumer workers.</summary>
public static class KafkaServiceCollectionExtensions
{
    /// <summary>The process-wide producer, schema registry client, <see cref="AvroPublisher"/> and dead-letter publisher.</summary>
    public static IServiceCollection AddKafkaPlumbing(this IServiceCollection services)
    {
        services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SchemaRegistryOptions>().BindConfiguration(SchemaRegistryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<KafkaProducer>();
        services.AddSingleton<ISchemaRegistryClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value;
            var config = new SchemaRegistryConfig { Url = options.Url };
            if (options.BasicAuthUserInfo.Length > 0)
            {
                config.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
                config.BasicAuthUserInfo = options.BasicAuthUserInfo;
            }
            return new CachedSchemaRegistryClient(config);
        });
        services.AddSingleton<AvroPublisher>();
        services.AddSingleton<DeadLetterPublisher>();
        return services;
    }

    /// <summary>
    /// The guarded Avro deserializer for <typeparamref name="T"/>, capped at <c>SchemaRegistry:MaxPayloadBytes</c>:
    /// what every consumer of contract records decodes untrusted bytes with.
    /// </summary>
    public static IServiceCollection AddGuardedAvroDeserializer<T>(this IServiceCollection services) =>
        services.AddSingleton(sp => new GuardedAvroDeserializer<T>(
            sp.GetRequiredService<ISchemaRegistryClient>(),
            AvroLimits.Default with { MaxPayloadBytes = sp.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value.MaxPayloadBytes }));

    /// <summary>Adds a consumer worker (a hosted service) feeding <typeparamref name="THandler"/> in batches.</summary>
    public static IServiceCollection AddKafkaConsumer<THandler>(this IServiceCollection services, ConsumerWorkerOptions options)
        where THandler : class, IKafkaBatchHandler
    {
        options.Validate();
        services.AddSingleton<THandler>();
        services.AddSingleton<IHostedService>(sp => new KafkaConsumerWorker(
            options,
            sp.GetRequiredService<IOptions<KafkaOptions>>().Value,
            sp.GetRequiredService<THandler>(),
            sp.GetRequiredService<DeadLetterPublisher>(),
            sp.GetRequiredService<ILogger<KafkaConsumerWorker>>()));
        return services;
    }
}
