using MlOps.Common.Alerts;
using MlOps.Contracts;

namespace MlOps.UnitTests.Alerts;

public sealed class AlertPublisherTests
{
    private static readonly DateTime Now = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_fingerprint_depends_on_the_label_set_not_its_order()
    {
        var a = AlertFingerprint.Compute(new Dictionary<string, string> { ["event_type"] = "x", ["alertname"] = "A" });
        var b = AlertFingerprint.Compute(new SortedDictionary<string, string>(StringComparer.Ordinal) { ["alertname"] = "A", ["event_type"] = "x" });
        var other = AlertFingerprint.Compute(new Dictionary<string, string> { ["event_type"] = "y", ["alertname"] = "A" });

        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        Assert.Matches("^[0-9a-f]{16}$", a);
    }

    [Fact]
    public void Label_boundaries_cannot_be_forged_by_values()
    {
        var joined = AlertFingerprint.Compute(new Dictionary<string, string> { ["a"] = "b,c" });
        var split = AlertFingerprint.Compute(new Dictionary<string, string> { ["a"] = "b", ["c"] = "" });

        Assert.NotEqual(joined, split);
    }

    [Fact]
    public void Firing_and_resolved_alerts_of_one_condition_share_a_fingerprint_and_carry_service_and_name()
    {
        var labels = new Dictionary<string, string> { ["event_type"] = "flight_departure" };
        var firing = AlertPublisher.Build(new AlertRequest("DataQuarantineRateHigh", AlertSeverity.warning, labels, new Dictionary<string, string> { ["summary"] = "8%" }), "ingestion", "flights@3", Now);
        var resolved = AlertPublisher.Build(new AlertRequest("DataQuarantineRateHigh", AlertSeverity.warning, labels, new Dictionary<string, string>(), Resolved: true), "ingestion", "flights@3", Now);

        Assert.Equal(firing.fingerprint, resolved.fingerprint);
        Assert.Equal(AlertStatus.firing, firing.status);
        Assert.Null(firing.ends_at);
        Assert.Equal(AlertStatus.resolved, resolved.status);
        Assert.Equal(Now, resolved.ends_at);
        Assert.Equal("ingestion", firing.labels["service"]);
        Assert.Equal("DataQuarantineRateHigh", firing.labels["alertname"]);
        Assert.Equal("flights@3", firing.spec_version);
    }
}
