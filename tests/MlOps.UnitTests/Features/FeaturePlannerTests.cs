using MlOps.Common.Spec;
using MlOps.Features.Store;

namespace MlOps.UnitTests.Features;

public sealed class FeaturePlannerTests
{
    private const string Topic = "mlops.events.validated";
    private const long Minute = 60_000;
    private static readonly long Base = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static readonly ViewCatalog Catalog = new(SpecLoader.Parse("""
        spec: t
        version: "1"
        contracts:
          departure:
            version: "1"
            max_clock_skew: 5m
            attributes:
              origin:      { type: string, required: true }
              destination: { type: string }
        features:
          airport:
            version: "1"
            entity: origin
            sources: [departure]
            ttl: 6h
            allowed_lateness: 1m
            aggregations:
              flights: { function: count, windows: [1h] }
          route:
            version: "1"
            entity: [origin, destination]
            sources: [departure]
            ttl: 6h
            allowed_lateness: 1h
            aggregations:
              flights: { function: count, windows: [1h] }
        """, "planner.yaml").FeatureViews.Values);

    private static FeatureEvent Departure(long offset, long minutes, string? destination = null) => new(
        offset, "departure", Base + (minutes * Minute),
        destination is null ? new Dictionary<string, object?> { ["origin"] = "JFK" } : new Dictionary<string, object?> { ["origin"] = "JFK", ["destination"] = destination });

    [Fact]
    public void The_newest_applied_event_time_per_view_ignores_replayed_late_and_entityless_events()
    {
        var fence = new Fence(1, Base + (60 * Minute));
        var plan = FeaturePlanner.Plan(Catalog, Topic, 0, fence,
        [
            Departure(0, 90, "LAX"), // replayed: the newest time in the batch, but applied before
            Departure(1, 60, "LAX"), // replayed
            Departure(2, 61),        // airport only: no destination, so no route entity
            Departure(3, 50, "ORD"), // late for airport (1m lateness), applied to route (1h)
        ]);

        Assert.Equal(2, plan.AlreadyApplied);
        Assert.Equal(Base + (61 * Minute), plan.NewestAppliedByView["airport"]);
        Assert.Equal(Base + (50 * Minute), plan.NewestAppliedByView["route"]);
        Assert.Equal(2, plan.NewestAppliedByView.Count);
    }

    [Fact]
    public void A_batch_that_only_replays_applies_nothing_and_reports_no_event_time()
    {
        var plan = FeaturePlanner.Plan(Catalog, Topic, 0, new Fence(5, Base + (60 * Minute)),
            [Departure(4, 2, "LAX"), Departure(5, 3, "LAX")]);

        Assert.Equal(0, plan.Applied);
        Assert.NotEmpty(plan.Touched); // the update log re-publishes these entities; the lag must not count them
        Assert.Empty(plan.NewestAppliedByView);
    }

    [Fact]
    public void A_non_finite_double_that_reached_the_topic_is_not_stored_as_the_last_value()
    {
        // Validation refuses it now; an event validated before that check could still be replayed from the topic.
        var catalog = new ViewCatalog(SpecLoader.Parse("""
            spec: t
            version: "1"
            contracts:
              reading:
                version: "1"
                max_clock_skew: 5m
                attributes:
                  sensor: { type: string, required: true }
                  value:  { type: double }
            features:
              sensor:
                version: "1"
                entity: sensor
                sources: [reading]
                ttl: 6h
                aggregations:
                  latest: { function: last, attribute: value }
            """, "planner.yaml").FeatureViews.Values);
        FeatureEvent Reading(long offset, double value) =>
            new(offset, "reading", Base + offset, new Dictionary<string, object?> { ["sensor"] = "s-1", ["value"] = value });

        var skipped = FeaturePlanner.Plan(catalog, Topic, 0, Fence.Start,
            [Reading(0, double.PositiveInfinity), Reading(1, double.NegativeInfinity), Reading(2, double.NaN)]);
        var kept = FeaturePlanner.Plan(catalog, Topic, 0, Fence.Start, [Reading(3, 1.5), Reading(4, double.PositiveInfinity)]);

        Assert.Empty(skipped.Lasts);
        Assert.EndsWith("|d:1.5", Assert.Single(kept.Lasts).Value, StringComparison.Ordinal);
    }
}
