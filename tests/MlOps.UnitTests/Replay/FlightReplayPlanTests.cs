using MlOps.Cli.Replay;
using MlOps.Common.Validation;
using MlOps.Ingestion.Pipeline;
using MlOps.Training;
using MlOps.UnitTests.Training;

namespace MlOps.UnitTests.Replay;

public sealed class FlightReplayPlanTests
{
    private static readonly ReplayOptions Options = new("flights-20k", "bts", TimeSpan.FromMinutes(30));

    private static FlightRecord Flight(int index, string departure, double delay = 0, double distance = 500, string origin = "ORD", string destination = "LAX") =>
        new(index, DateTime.ParseExact(departure, FlightDataset.DateFormat, null), delay, distance, origin, destination);

    [Fact]
    public void A_flight_becomes_a_departure_then_its_arrival_and_label_after_landing_plus_the_reporting_lag()
    {
        // 500 miles: 30 min on the ground + 1 h cruising, 10 min late -> lands 01:40; reported 02:10.
        var plan = FlightReplayPlan.Build([Flight(7, "2001/01/01 00:00", delay: 10)], Options).ToList();

        Assert.Equal(2, plan.Count);
        var (departure, arrival) = (plan[0], plan[1]);
        Assert.True(departure.IsDeparture);
        Assert.Equal(("flights-20k/7/departure", "flights-20k/7", "flight_departure"), (departure.Event.event_id, departure.Event.entity_id, departure.Event.event_type));
        Assert.Equal(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), departure.At);

        Assert.False(arrival.IsDeparture);
        Assert.Equal(("flights-20k/7/arrival", "flight_arrival"), (arrival.Event.event_id, arrival.Event.event_type));
        Assert.Equal(new DateTime(2001, 1, 1, 1, 40, 0, DateTimeKind.Utc), arrival.Event.event_time);
        Assert.Equal(new DateTime(2001, 1, 1, 2, 10, 0, DateTimeKind.Utc), arrival.At);
        var label = arrival.Label!;
        Assert.Equal(("flights-20k/7/label", "flights-20k/7/departure", "event_id", "arrival_delayed", 0.0), (label.label_id, label.join_key, label.join_key_kind, label.label_name, label.value));
        Assert.Equal(arrival.At, label.observed_at);
    }

    [Theory]
    [InlineData(15, 0)]
    [InlineData(15.5, 1)]
    [InlineData(-20, 0)]
    [InlineData(180, 1)]
    public void The_label_and_the_arrivals_delayed_attribute_are_a_delay_over_15_minutes(double delay, long delayed)
    {
        var arrival = FlightReplayPlan.Build([Flight(1, "2001/01/01 12:00", delay)], Options).Single(i => !i.IsDeparture);

        Assert.Equal(delayed, arrival.Event.attributes["delayed"]);
        Assert.Equal((double)delayed, arrival.Label!.value);
        Assert.Equal(delay, arrival.Event.attributes["arr_delay"]);
    }

    [Fact]
    public void A_very_early_short_flight_still_lands_after_it_departs()
    {
        // 100 miles (42 min scheduled), 59 min early: clamped to the 20 minute minimum.
        var flight = Flight(1, "2001/01/01 12:00", delay: -59, distance: 100);

        Assert.Equal(flight.Departure.AddMinutes(20), FlightReplayPlan.Landing(flight));
    }

    [Fact]
    public void Departure_attributes_are_what_the_model_reads_with_an_iso_day_of_week()
    {
        // 2001-01-07 was a Sunday: ISO day 7.
        var departure = FlightReplayPlan.Build([Flight(3, "2001/01/07 18:45", distance: 1750, origin: "DTW", destination: "LAS")], Options).First();

        Assert.Equal(new Dictionary<string, object>
        {
            ["origin"] = "DTW", ["destination"] = "LAS", ["distance"] = 1750.0, ["dep_hour"] = 18L, ["day_of_week"] = 7L, ["month"] = 1L,
        }, departure.Event.attributes);
    }

    [Fact]
    public void Items_come_in_event_time_order_with_labels_hours_after_their_departure()
    {
        var random = new Random(11);
        var flights = Enumerable.Range(0, 300).Select(i => new FlightRecord(
            i, new DateTime(2001, 1, 1).AddMinutes(random.Next(0, 5 * 24 * 60)), random.Next(-60, 300), random.Next(50, 2800), "ORD", "LAX")).ToList();

        var plan = FlightReplayPlan.Build(flights, Options).ToList();

        Assert.Equal(600, plan.Count);
        Assert.True(plan.Zip(plan.Skip(1)).All(p => p.First.At <= p.Second.At), "not in event-time order");
        var published = plan.Select((item, position) => (item, position)).ToDictionary(p => p.item.Event.event_id, p => p.position);
        foreach (var flight in flights)
        {
            var id = FlightReplayPlan.FlightId(flight, Options);
            Assert.True(published[id + "/departure"] < published[id + "/arrival"], $"{id}: arrival published before departure");
            var arrival = plan[published[id + "/arrival"]];
            Assert.True(arrival.Label!.observed_at - plan[published[id + "/departure"]].At >= TimeSpan.FromMinutes(50), $"{id}: label less than 20 min flight + 30 min lag after departure");
        }
    }

    [Fact]
    public void At_the_same_moment_a_departure_goes_before_an_arrival()
    {
        // The second flight departs exactly when the first one's arrival is reported (00:00 + 1:30 + 0:30).
        var plan = FlightReplayPlan.Build([Flight(1, "2001/01/01 00:00"), Flight(2, "2001/01/01 02:00")], Options);

        Assert.Equal(["flights-20k/1/departure", "flights-20k/2/departure", "flights-20k/1/arrival", "flights-20k/2/arrival"],
            plan.Select(i => i.Event.event_id));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void The_streamed_plan_is_in_the_order_of_a_full_sort_of_every_item_ties_included(int seed, bool inDatasetOrder)
    {
        // A 10-minute grid: departures share times, and 500-mile multiples with 10-minute delays and a 30-minute lag
        // report arrivals on the same grid, at departure times and at each other's times. Early arrivals hit the clamp.
        var random = new Random(seed);
        var flights = Enumerable.Range(0, 2000).Select(i => new FlightRecord(
            i, new DateTime(2001, 1, 1).AddMinutes(10 * random.Next(0, 6 * 24)), 10 * random.Next(-9, 30), 500 * random.Next(0, 6), "ORD", "LAX")).ToList();
        var input = inDatasetOrder ? flights.OrderBy(f => f.Departure).ToList() : flights.OrderBy(_ => random.Next()).ToList();

        var streamed = FlightReplayPlan.Build(input, Options).ToList();
        var sorted = streamed.OrderBy(i => i.At).ThenBy(i => i.IsDeparture ? 0 : 1).ThenBy(i => i.Flight.Index).ToList();

        Assert.Equal(sorted.Select(i => i.Event.event_id), streamed.Select(i => i.Event.event_id));
        Assert.Equal(flights.Count, streamed.Count(i => i.IsDeparture));
        Assert.Equal(2 * flights.Count, streamed.Select(i => i.Event.event_id).Distinct().Count());
        Assert.True(streamed.GroupBy(i => i.At).Count(g => g.Any(i => i.IsDeparture) && g.Any(i => !i.IsDeparture)) > 10, "too few departure/arrival ties to test");
        Assert.True(streamed.Where(i => !i.IsDeparture).GroupBy(i => i.At).Count(g => g.Count() > 1) > 10, "too few arrival/arrival ties to test");
    }

    [Fact]
    public void The_plan_is_built_as_it_is_read_not_all_at_once()
    {
        var flights = new CountingList(Enumerable.Range(0, 1000).Select(i => Flight(i, "2001/01/01 00:00") with { Departure = new DateTime(2001, 1, 1).AddMinutes(i) }).ToList());

        var first = FlightReplayPlan.Build(flights, Options).Take(3).ToList();

        Assert.Equal(["flights-20k/0/departure", "flights-20k/1/departure", "flights-20k/2/departure"], first.Select(i => i.Event.event_id));
        Assert.Equal(3, flights.Enumerated);
    }

    /// <summary>A list that counts how many of its items were enumerated (the order check reads it by index).</summary>
    private sealed class CountingList(List<FlightRecord> items) : IReadOnlyList<FlightRecord>
    {
        public int Enumerated { get; private set; }

        public int Count => items.Count;

        public FlightRecord this[int index] => items[index];

        public IEnumerator<FlightRecord> GetEnumerator()
        {
            foreach (var item in items)
            {
                Enumerated++;
                yield return item;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Fact]
    public void Every_replayed_event_satisfies_the_example_data_contracts()
    {
        var flights = new[] { Flight(1, "2001/03/31 23:59", delay: 522, distance: 2704), Flight(2, "2001/01/01 00:00", delay: -59, distance: 30) };

        foreach (var item in FlightReplayPlan.Build(flights, Options))
        {
            var violations = EventValidator.Validate(EventCandidate.Of(item.Event, 300), Specs.Flights, item.At);
            Assert.True(violations.Count == 0, $"{item.Event.event_id}: {string.Join("; ", violations)}");
        }
    }
}
