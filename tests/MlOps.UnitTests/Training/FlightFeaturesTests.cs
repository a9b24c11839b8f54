using Microsoft.ML.Data;
using MlOps.Training;

namespace MlOps.UnitTests.Training;

public sealed class FlightFeaturesTests
{
    [Theory]
    [InlineData("2001/01/01 00:47", 0, 1, 1)] // a Monday
    [InlineData("2001/01/07 23:59", 23, 7, 1)] // a Sunday
    [InlineData("2001/03/14 12:30", 12, 3, 3)] // a Wednesday
    public void Departure_time_gives_dep_hour_iso_day_of_week_and_month(string date, int hour, int dayOfWeek, int month)
    {
        var flight = FlightDataset.Parse($$"""[{"date":"{{date}}","delay":0,"distance":100,"origin":"ORD","destination":"LAX"}]""").Rows[0];

        var attributes = FlightFeatures.EventAttributes(flight);
        var row = FlightFeatureBuilder.Build([flight], Specs.OriginTraffic)[0];

        Assert.Equal(((long)hour, (long)dayOfWeek, (long)month), ((long)attributes["dep_hour"]!, (long)attributes["day_of_week"]!, (long)attributes["month"]!));
        Assert.Equal((hour, dayOfWeek, month), ((int)row.DepHour, (int)row.DayOfWeek, (int)row.Month));
    }

    [Theory]
    [InlineData(-20, false)]
    [InlineData(0, false)]
    [InlineData(15, false)]
    [InlineData(15.5, true)]
    [InlineData(16, true)]
    [InlineData(300, true)]
    public void Delayed_means_an_arrival_more_than_15_minutes_late(double delay, bool delayed)
    {
        Assert.Equal(delayed, FlightLabel.IsDelayed(delay));
    }

    [Fact]
    public void Row_columns_are_the_features_onnx_inputs_in_signature_order()
    {
        var columns = typeof(FlightFeatureRow).GetProperties()
            .Select(p => p.CustomAttributes.SingleOrDefault(a => a.AttributeType == typeof(ColumnNameAttribute))?.ConstructorArguments[0].Value)
            .OfType<string>()
            .ToList();

        Assert.Equal(FlightFeatures.All.Select(f => f.Column), columns);
        var row = new FlightFeatureRow { Distance = 1, DepHour = 2, DayOfWeek = 3, Month = 4, Departures1h = 5, Departures24h = 6, MeanDistance24h = 7 };
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7], row.Values());
    }

    [Fact]
    public void Every_feature_view_input_is_one_the_spec_serves()
    {
        var served = Specs.OriginTraffic.FeatureNames.Select(n => $"{Specs.OriginTraffic.Name}.{n}").ToHashSet();

        Assert.All(FlightFeatures.All.Where(f => !f.Feature.StartsWith("event.", StringComparison.Ordinal)), f => Assert.Contains(f.Feature, served));
    }

    [Fact]
    public void Chronological_split_trains_on_the_earlier_rows_and_holds_out_the_later()
    {
        var rows = Enumerable.Range(0, 10).ToList();

        var (train, holdout) = ChronologicalSplit.Split(rows, 0.8);

        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], train);
        Assert.Equal([8, 9], holdout);
        Assert.Throws<ArgumentOutOfRangeException>(() => ChronologicalSplit.Split(rows, 1.0));
    }
}
