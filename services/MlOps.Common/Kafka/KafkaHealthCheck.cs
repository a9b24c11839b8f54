using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlOps.Common.Kafka;

/// <summary>Ready when a broker answers a metadata request within a short timeout.</summary>
public sealed class KafkaHealthCheck(IAdminClient admin) : IHealthCheck
{
    /// <summary>Short enough that <c>/health/ready</c> answers well inside a probe's timeout.</summary>
    public static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks for up to the timeout; keep it off the request thread.
            var metadata = await Task.Run(() => admin.GetMetadata(MetadataTimeout), cancellationToken)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            return metadata.Brokers.Count == 0
                ? HealthCheckResult.Unhealthy("Kafka answered with no brokers.")
                : HealthCheckResult.Healthy($"Kafka reachable: {metadata.Brokers.Count} broker(s).");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy($"Kafka unreachable: {ex.Error.Reason}");
        }
    }
}
