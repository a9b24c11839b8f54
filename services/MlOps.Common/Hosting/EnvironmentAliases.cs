using System.Collections;
using MlOps.Common.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace MlOps.Common.Hosting;

/// <summary>
/// Maps the short variables of the embedded stack's <c>.mlops/stack.env</c> (<c>KAFKA_BOOTSTRAP</c>,
/// <c>SCHEMA_REGISTRY_URL</c>, <c>REDIS_URL</c>, <c>MLOPS_MODELS_DIR</c>) onto configuration keys, so services run with it unchanged.
/// An explicit <c>Kafka__BootstrapServers</c>-style variable always wins over its alias.
/// </summary>
public static class EnvironmentAliases
{
    private static readonly (string Variable, string Key, Func<string, string> Convert)[] Aliases =
    [
        ("KAFKA_BOOTSTRAP", "Kafka:BootstrapServers", value => value),
        ("SCHEMA_REGISTRY_URL", "SchemaRegistry:Url", value => value),
        ("REDIS_URL", "Redis:Configuration", RedisUrl.ToConfiguration),
        ("MLOPS_MODELS_DIR", "Inference:ModelsDirectory", value => value),
    ];

    /// <summary>
    /// Configuration entries implied by <paramref name="environment"/>. An alias is left out when it is empty or
    /// when the environment also sets its key explicitly (the environment-variable source supplies that one).
    /// </summary>
    /// <exception cref="ArgumentException"><c>REDIS_URL</c> is not a Redis URL.</exception>
    public static IReadOnlyDictionary<string, string?> Map(IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(environment);

        var explicitKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            explicitKeys.Add(((string)entry.Key).Replace("__", ":", StringComparison.Ordinal));
        }

        var mapped = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key, convert) in Aliases)
        {
            if (environment[variable] is string { Length: > 0 } value && !explicitKeys.Contains(key))
            {
                mapped[key] = convert(value);
            }
        }

        return mapped;
    }

    /// <summary>
    /// Adds the mapped aliases just below the environment-variable source: above appsettings files, below explicit
    /// variables and the command line.
    /// </summary>
    public static void AddEnvironmentAliases(this IConfigurationBuilder configuration, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var source = new MemoryConfigurationSource { InitialData = Map(environment) };
        var index = LastIndexOfEnvironmentSource(configuration.Sources);
        if (index < 0)
        {
            configuration.Sources.Add(source);
        }
        else
        {
            configuration.Sources.Insert(index, source);
        }
    }

    private static int LastIndexOfEnvironmentSource(IList<IConfigurationSource> sources)
    {
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            {
                return i;
            }
        }

        return -1;
    }
}
