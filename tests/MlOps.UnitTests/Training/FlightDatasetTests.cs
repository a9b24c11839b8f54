using MlOps.Training;

namespace MlOps.UnitTests.Training;

public sealed class FlightDatasetTests
{
    [Fact]
    public void A_row_becomes_a_departure_with_its_time_route_and_delay()
    {
        var data = FlightDataset.Parse("""[{"date":"2001/01/14 21:55","delay":42,"distance":1452,"origin":"DTW","destination":"LAS"}]""");

        var flight = Assert.Single(data.Rows);
        Assert.Empty(data.Skipped);
        Assert.Equal(new DateTime(2001, 1, 14, 21, 55, 0), flight.Departure);
        Assert.Equal((42.0, 1452.0, "DTW", "LAS"), (flight.ArrivalDelayMinutes, flight.Distance, flight.Origin, flight.Destination));
        Assert.Equal(new DateTimeOffset(2001, 1, 14, 21, 55, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), flight.EventTimeMs);
    }

    [Fact]
    public void Bad_rows_are_reported_with_their_index_and_reason_and_good_rows_kept()
    {
        var data = FlightDataset.Parse("""
            [
              {"date":"2001/01/01 10:00","delay":1,"distance":100,"origin":"ORD","destination":"LAX"},
              {"date":"2001-01-01 10:00","delay":1,"distance":100,"origin":"ORD","destination":"LAX"},
              {"date":"2001/01/01 10:00","distance":100,"origin":"ORD","destination":"LAX"},
              {"date":"2001/01/01 10:00","delay":1,"distance":-3,"origin":"ORD","destination":"LAX"},
              {"date":"2001/01/01 10:00","delay":1,"distance":100,"origin":"ord","destination":"LAX"},
              {"date":"2001/01/01 10:00","delay":1,"distance":100,"origin":"ORD"},
              42,
              {"date":"2001/01/01 11:00","delay":"late","distance":100,"origin":"ORD","destination":"LAX"},
              {"date":"2001/01/01 12:00","delay":-4,"distance":200,"origin":"SFO","destination":"LAX"}
            ]
            """);

        Assert.Equal([0, 8], data.Rows.Select(r => r.Index));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], data.Skipped.Select(s => s.Index));
        Assert.StartsWith("date:", data.Skipped[0].Reason);
        Assert.StartsWith("delay:", data.Skipped[1].Reason);
        Assert.StartsWith("distance:", data.Skipped[2].Reason);
        Assert.StartsWith("origin:", data.Skipped[3].Reason);
        Assert.StartsWith("destination:", data.Skipped[4].Reason);
        Assert.StartsWith("not an object", data.Skipped[5].Reason);
        Assert.StartsWith("delay:", data.Skipped[6].Reason);
        Assert.Equal("row 1: " + data.Skipped[0].Reason, data.Skipped[0].ToString());
    }

    [Fact]
    public void Rows_come_back_in_departure_order_with_ties_in_file_order()
    {
        var data = FlightDataset.Parse("""
            [
              {"date":"2001/01/02 08:00","delay":0,"distance":100,"origin":"ORD","destination":"LAX"},
              {"date":"2001/01/01 09:00","delay":0,"distance":100,"origin":"ORD","destination":"LAX"},
              {"date":"2001/01/02 08:00","delay":0,"distance":100,"origin":"SFO","destination":"LAX"}
            ]
            """);

        Assert.Equal([1, 0, 2], data.Rows.Select(r => r.Index));
    }

    [Fact]
    public void A_file_that_is_not_an_array_is_refused()
    {
        Assert.Throws<FormatException>(() => FlightDataset.Parse("""{"date":"2001/01/01 10:00"}"""));
    }
}
