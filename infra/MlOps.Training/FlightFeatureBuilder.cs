using MlOps.Common.Features;
using MlOps.Common.Spec;

namespace MlOps.Training;

/// <summary>
/// Turns departures into training rows by replaying them through <see cref="PointInTimeView"/>: every row's view
/// values are read at its own departure time from departures strictly before it (all departures sharing a timestamp
/// are read first, then added), so no row sees itself, a simultaneous departure or the future.
/// </summary>
public static class FlightFeatureBuilder
{
    /// <param name="flights">In departure order.</param>
    public static IReadOnlyList<FlightTrainingRow> Build(IReadOnlyList<FlightRecord> flights, FeatureView originTraffic)
    {
        var view = new PointInTimeView(originTraffic);
        var rows = new List<FlightTrainingRow>(flights.Count);
        var start = 0;
        while (start < flights.Count)
        {
            var time = flights[start].EventTimeMs;
            var end = start;
            while (end < flights.Count && flights[end].EventTimeMs == time)
            {
                end++;
            }
            if (end < flights.Count && flights[end].EventTimeMs < time)
            {
                throw new ArgumentException($"flights must be in departure order (row {flights[end].Index} is earlier than row {flights[start].Index})", nameof(flights));
            }
            for (var i = start; i < end; i++)
            {
                rows.Add(Row(flights[i], view.Read(flights[i].Origin, time)));
            }
            for (var i = start; i < end; i++)
            {
                view.Observe(FlightFeatures.EventAttributes(flights[i]), time);
            }
            start = end;
        }
        return rows;
    }

    public static FlightTrainingRow Row(FlightRecord flight, FeatureVector originTraffic) => new()
    {
        Distance = (float)flight.Distance,
        DepHour = flight.Departure.Hour,
        DayOfWeek = FlightFeatures.IsoDayOfWeek(flight.Departure),
        Month = flight.Departure.Month,
        Departures1h = Value(originTraffic, "departures_1h"),
        Departures24h = Value(originTraffic, "departures_24h"),
        MeanDistance24h = Value(originTraffic, "mean_distance_24h"),
        Label = FlightLabel.IsDelayed(flight.ArrivalDelayMinutes),
    };

    /// <summary>The served value, or the input's default (0) when the view is missing, expired or has no value.</summary>
    private static float Value(FeatureVector vector, string name) => vector.Values.GetValueOrDefault(name) switch
    {
        long l => l,
        double d => (float)d,
        _ => (float)FlightFeatures.All.Single(f => f.Feature == $"{vector.View}.{name}").Default,
    };
}
