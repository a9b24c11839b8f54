using MlOps.Common.Spec;

namespace MlOps.Training;

/// <summary>
/// The flight-delay model's inputs, in signature order: the departure's own attributes (as the flight_departure
/// contract carries them) and origin_traffic values, which can be missing online (a new or quiet airport) and
/// so default to 0 — the same value training uses when the view has nothing for the origin yet.
/// </summary>
public static class FlightFeatures
{
    public const string OriginTrafficView = "origin_traffic";

    public static readonly IReadOnlyList<ModelFeature> All =
    [
        new("event.distance", 0),
        new("event.dep_hour", 0),
        new("event.day_of_week", 0),
        new("event.month", 0),
        new("origin_traffic.departures_1h", 0),
        new("origin_traffic.departures_24h", 0),
        new("origin_traffic.mean_distance_24h", 0),
    ];

    /// <summary>ISO day of week: Monday = 1 … Sunday = 7.</summary>
    public static int IsoDayOfWeek(DateTime time) => ((int)time.DayOfWeek + 6) % 7 + 1;

    /// <summary>The flight_departure event's attributes, as ingestion would validate and the features service would see them.</summary>
    public static IReadOnlyDictionary<string, object?> EventAttributes(FlightRecord flight) => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["origin"] = flight.Origin,
        ["destination"] = flight.Destination,
        ["distance"] = flight.Distance,
        ["dep_hour"] = (long)flight.Departure.Hour,
        ["day_of_week"] = (long)IsoDayOfWeek(flight.Departure),
        ["month"] = (long)flight.Departure.Month,
    };

    public static FeatureView OriginTraffic(PlatformSpec spec) =>
        spec.FeatureViews.TryGetValue(OriginTrafficView, out var view)
            ? view
            : throw new InvalidOperationException($"{spec.SourceFile}: the spec has no feature view '{OriginTrafficView}' (it has {string.Join(", ", spec.FeatureViews.Keys)})");
}
