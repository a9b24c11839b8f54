using Confluent.Kafka;
using MlOps.Common.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlOps.Common.Hosting;

/// <summary>Builds the process-wide <see cref="IAdminClient"/> that the Kafka readiness check asks for metadata.</summary>
internal static partial class KafkaAdminClientFactory
{
    // Settings a secured cluster needs on every client; they are read from the producer settings.
    private static readonly string[] ConnectionPrefixes = ["security.", "sasl.", "ssl."];

    public static IAdminClient Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<KafkaHealthCheck>();

        var config = new AdminClientConfig { BootstrapServers = options.BootstrapServers, ClientId = options.ClientId };
        foreach (var (key, value) in options.Producer)
        {
            if (Array.Exists(ConnectionPrefixes, prefix => key.StartsWith(prefix, StringComparison.Ordinal)))
            {
                config.Set(key, value);
            }
        }

        // An unreachable broker makes librdkafka log every reconnect; readiness already reports it, so keep it at Debug.
        return new AdminClientBuilder(config)
            .SetLogHandler((_, message) => LogLibrdkafka(logger, message.Facility, message.Message))
            .SetErrorHandler((_, error) => LogClientError(logger, error.IsFatal ? LogLevel.Error : LogLevel.Debug, error.Code, error.Reason))
            .Build();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Facility}: {Text}")]
    private static partial void LogLibrdkafka(ILogger logger, string facility, string text);

    [LoggerMessage(Message = "Kafka admin client error {Code}: {Reason}")]
    private static partial void LogClientError(ILogger logger, LogLevel level, ErrorCode code, string reason);
}
