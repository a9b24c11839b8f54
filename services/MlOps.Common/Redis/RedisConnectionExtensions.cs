using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MlOps.Common.Redis;

public static class RedisConnectionExtensions
{
    /// <summary>
    /// Registers the one <see cref="IConnectionMultiplexer"/> of the process, built from <see cref="RedisOptions"/>
    /// when first resolved. It never aborts on a failed connect: it keeps reconnecting in the background and
    /// readiness reports Redis as down meanwhile, instead of the service failing to start.
    /// </summary>
    public static IServiceCollection AddRedisConnection(this IServiceCollection services, string clientName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientName);

        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<RedisOptions>>().Value;
            var configuration = ConfigurationOptions.Parse(RedisUrl.ToConfiguration(settings.Configuration));
            configuration.AbortOnConnectFail = false;
            configuration.ClientName = clientName;
            configuration.LoggerFactory = sp.GetService<ILoggerFactory>();
            return ConnectionMultiplexer.Connect(configuration);
        });
        return services;
    }
}
