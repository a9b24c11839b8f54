using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Ingestion.Quality;

namespace MlOps.UnitTests.Ingestion;

public sealed class DataQualityEvaluatorTests
{
    private static readonly DataContract Contract = new(
        "flight_departure", "2", new Dictionary<string, AttributeRule>(), null, null, null, null, true,
        new QualityThresholds(10, 0.2, new Dictionary<string, double> { ["dep_delay"] = 0.8 }));

    private static readonly Dictionary<string, object> WithDelay = new() { ["dep_delay"] = 5L };

    [Fact]
    public void Nothing_is_said_before_a_window_is_complete_or_while_quality_holds()
    {
        var evaluator = new DataQualityEvaluator();

        var alerts = Enumerable.Range(0, 30).SelectMany(i => evaluator.Record(Contract, quarantined: i % 10 == 0, WithDelay)).ToList();

        Assert.Empty(alerts);
    }

    [Fact]
    public void A_breach_fires_once_while_it_lasts_and_resolves_once_when_it_ends()
    {
        var evaluator = new DataQualityEvaluator();

        var breached = Enumerable.Range(0, 30).SelectMany(i => evaluator.Record(Contract, quarantined: i % 2 == 0, WithDelay)).ToList();
        var recovered = Enumerable.Range(0, 20).SelectMany(_ => evaluator.Record(Contract, quarantined: false, WithDelay)).ToList();

        var firing = Assert.Single(breached);
        Assert.Equal(DataQualityEvaluator.QuarantineRateAlert, firing.AlertName);
        Assert.False(firing.Resolved);
        Assert.Equal("flight_departure", firing.Labels["event_type"]);
        Assert.Contains("50.0%", firing.Annotations["summary"], StringComparison.Ordinal);
        var resolved = Assert.Single(recovered);
        Assert.True(resolved.Resolved);
        Assert.Equal(firing.Labels, resolved.Labels);
    }

    [Fact]
    public void Low_completeness_of_a_tracked_attribute_fires_with_the_attribute_label()
    {
        var evaluator = new DataQualityEvaluator();

        var alerts = Enumerable.Range(0, 10)
            .SelectMany(i => evaluator.Record(Contract, quarantined: false, i < 7 ? WithDelay : new Dictionary<string, object>()))
            .ToList();

        var alert = Assert.Single(alerts);
        Assert.Equal(DataQualityEvaluator.CompletenessAlert, alert.AlertName);
        Assert.Equal("dep_delay", alert.Labels["attribute"]);
        Assert.Equal(AlertSeverity.warning, alert.Severity);
    }
}
