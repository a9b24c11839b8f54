using Microsoft.ML.Data;

namespace MlOps.Training;

/// <summary>What the model reads: one float per <see cref="FlightFeatures.All"/> entry, columns named like the ONNX inputs.</summary>
public class FlightFeatureRow
{
    [ColumnName("event_distance")] public float Distance { get; set; }
    [ColumnName("event_dep_hour")] public float DepHour { get; set; }
    [ColumnName("event_day_of_week")] public float DayOfWeek { get; set; }
    [ColumnName("event_month")] public float Month { get; set; }
    [ColumnName("origin_traffic_departures_1h")] public float Departures1h { get; set; }
    [ColumnName("origin_traffic_departures_24h")] public float Departures24h { get; set; }
    [ColumnName("origin_traffic_mean_distance_24h")] public float MeanDistance24h { get; set; }

    /// <summary>The values in <see cref="FlightFeatures.All"/> order.</summary>
    public float[] Values() => [Distance, DepHour, DayOfWeek, Month, Departures1h, Departures24h, MeanDistance24h];

    /// <summary>A copy holding only the features (what the ONNX export and scoring see).</summary>
    public FlightFeatureRow FeaturesOnly() => new()
    {
        Distance = Distance, DepHour = DepHour, DayOfWeek = DayOfWeek, Month = Month,
        Departures1h = Departures1h, Departures24h = Departures24h, MeanDistance24h = MeanDistance24h,
    };
}

/// <summary>A training example: the features and the label.</summary>
public sealed class FlightTrainingRow : FlightFeatureRow
{
    public bool Label { get; set; }

    /// <param name="values">In <see cref="FlightFeatures.All"/> order, as <see cref="FlightFeatureRow.Values"/> gives them.</param>
    public static FlightTrainingRow Of(IReadOnlyList<float> values, bool label) => values.Count == FlightFeatures.All.Count
        ? new()
        {
            Distance = values[0], DepHour = values[1], DayOfWeek = values[2], Month = values[3],
            Departures1h = values[4], Departures24h = values[5], MeanDistance24h = values[6], Label = label,
        }
        : throw new ArgumentException($"{values.Count} values for {FlightFeatures.All.Count} features", nameof(values));
}
