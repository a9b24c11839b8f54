using MlOps.Common.Kafka;
using MlOps.Contracts;

namespace MlOps.Common.Alerts;

/// <summary>
/// The one way services raise and resolve alerts: an <see cref="Alert"/> on <c>mlops.alerts</c>, keyed by its
/// fingerprint, with <c>alertname</c> and <c>service</c> always among the labels.
/// </summary>
public sealed class AlertPublisher(AvroPublisher publisher, TimeProvider clock, string serviceName)
{
    public async Task<Alert> PublishAsync(AlertRequest request, string? specVersion, CancellationToken ct)
    {
        var alert = Build(request, serviceName, specVersion, clock.GetUtcNow().UtcDateTime);
        await publisher.PublishAsync(TopicCatalog.Alerts, alert.fingerprint, alert, null, ct);
        return alert;
    }

    /// <summary>The Alert record for a request (pure; the fingerprint covers every label).</summary>
    public static Alert Build(AlertRequest request, string serviceName, string? specVersion, DateTime now)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Labels)
        {
            labels[key] = value;
        }
        labels["alertname"] = request.AlertName;
        labels["service"] = serviceName;
        return new Alert
        {
            fingerprint = AlertFingerprint.Compute(labels),
            alert_name = request.AlertName,
            status = request.Resolved ? AlertStatus.resolved : AlertStatus.firing,
            severity = request.Severity,
            labels = new Dictionary<string, string>(labels),
            annotations = new Dictionary<string, string>(request.Annotations),
            source_service = serviceName,
            starts_at = now,
            ends_at = request.Resolved ? now : null,
            spec_version = specVersion,
        };
    }
}
