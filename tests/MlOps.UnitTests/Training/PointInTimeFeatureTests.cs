using MlOps.Common.Features;
using MlOps.Features.Store;
using MlOps.Testing.Features;
using MlOps.Training;

namespace MlOps.UnitTests.Training;

public sealed class PointInTimeFeatureTests
{
    private static readonly DateTime Day = new(2001, 1, 10);

    [Fact]
    public void A_departure_never_sees_itself_a_simultaneous_departure_or_a_later_one()
    {
        var rows = FlightFeatureBuilder.Build(
        [
            Flight(0, "10:00", "ORD", 1000),
            Flight(1, "10:00", "ORD", 2000),
            Flight(2, "10:30", "ORD", 600),
            Flight(3, "10:30", "SFO", 300),
            Flight(4, "11:30", "ORD", 100),
        ], Specs.OriginTraffic);

        Assert.Equal((0f, 0f, 0f), Traffic(rows[0]));
        Assert.Equal((0f, 0f, 0f), Traffic(rows[1]));
        Assert.Equal((2f, 2f, 1500f), Traffic(rows[2]));
        Assert.Equal((0f, 0f, 0f), Traffic(rows[3])); // another origin
        // 1h at 11:30 covers the 5-minute tiles from 10:35: the 10:00 and 10:30 departures fell out, the 24h window keeps them.
        Assert.Equal((0f, 3f, 1200f), Traffic(rows[4]));
    }

    [Fact]
    public void An_origin_quiet_for_longer_than_the_views_ttl_gets_the_defaults_as_online()
    {
        var rows = FlightFeatureBuilder.Build([Flight(0, "01:00", "ORD", 1000), Flight(1, "08:00", "ORD", 500)], Specs.OriginTraffic);

        Assert.Equal((0f, 0f, 0f), Traffic(rows[1])); // ttl 6h: the online read returns Expired, no values
    }

    [Fact]
    public void Rows_out_of_departure_order_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FlightFeatureBuilder.Build([Flight(0, "10:00", "ORD", 1), Flight(1, "09:00", "ORD", 1)], Specs.OriginTraffic));
    }

    [Fact]
    public void Training_values_equal_the_online_stores_read_from_strictly_earlier_departures()
    {
        var view = Specs.OriginTraffic;
        var catalog = new ViewCatalog([view]);
        var random = new Random(7);
        string[] airports = ["ORD", "SFO", "ATL"];
        var flights = Enumerable.Range(0, 60)
            .Select(i => new FlightRecord(i, Day.AddMinutes(random.Next(0, 36 * 60)), 0, random.Next(50, 3000), airports[random.Next(airports.Length)], "LAX"))
            .OrderBy(f => f.Departure)
            .ToList();

        var rows = FlightFeatureBuilder.Build(flights, view);

        for (var i = 0; i < flights.Count; i++)
        {
            var flight = flights[i];
            var earlier = flights.Where(f => f.EventTimeMs < flight.EventTimeMs)
                .Select((f, offset) => (0, new FeatureEvent(offset, "flight_departure", f.EventTimeMs, FlightFeatures.EventAttributes(f))));
            var online = InMemoryFeatureStore.Oracle(catalog, "flights.departures", earlier).Read(view, flight.Origin, flight.EventTimeMs);
            var expected = FlightFeatureBuilder.Row(flight, online);
            Assert.Equal(Traffic(expected), Traffic(rows[i]));
        }
    }

    [Fact]
    public void Adding_later_departures_changes_no_earlier_row()
    {
        var flights = Enumerable.Range(0, 40).Select(i => Flight(i, $"{8 + i / 6:00}:{i % 6 * 10:00}", i % 3 == 0 ? "SFO" : "ORD", 100 + i)).ToList();

        var all = FlightFeatureBuilder.Build(flights, Specs.OriginTraffic);
        var prefix = FlightFeatureBuilder.Build(flights.Take(25).ToList(), Specs.OriginTraffic);

        Assert.Equal(prefix.Select(Traffic), all.Take(25).Select(Traffic));
    }

    private static FlightRecord Flight(int index, string time, string origin, double distance) =>
        new(index, Day.Add(TimeSpan.Parse(time, System.Globalization.CultureInfo.InvariantCulture)), 0, distance, origin, "LAX");

    private static (float, float, float) Traffic(FlightFeatureRow row) => (row.Departures1h, row.Departures24h, row.MeanDistance24h);
}
