using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlOps.Common.Spec;

public static class SpecServiceExtensions
{
    /// <summary>
    /// Registers the hot-reloading <see cref="SpecProvider"/> for the file at <c>{section}:SpecPath</c>, which
    /// <c>MLOPS_SPEC</c> (as written to stack.env) fills when it is not configured. Resolve it at start-up so an
    /// invalid spec fails the start with its file:line errors.
    /// </summary>
    public static IServiceCollection AddSpecProvider(this IServiceCollection services, IConfiguration configuration, string section)
    {
        var key = $"{section}:SpecPath";
        if (Environment.GetEnvironmentVariable("MLOPS_SPEC") is { Length: > 0 } fromEnvironment && configuration[key] is null)
        {
            configuration[key] = fromEnvironment;
        }
        services.AddSingleton(sp =>
        {
            var path = configuration[key];
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new InvalidOperationException($"{key} (or MLOPS_SPEC) is required, e.g. 'infra/examples/flights/spec.yaml'.");
            }
            return SpecMetrics.Attach(new SpecProvider(path, sp.GetRequiredService<ILogger<SpecProvider>>()));
        });
        return services;
    }
}
