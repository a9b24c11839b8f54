using MlOps.Contracts;
using MlOps.Training;

namespace MlOps.Cli.Replay;

/// <summary>
/// Turns BTS flight records into the stream the platform would have seen: each departure at its scheduled time, and
/// its arrival — the label, delayed &gt; 15 min — only once the flight has landed and the delay was reported, hours
/// of event time later. Pure: the same records give the same items, ids and order.
/// </summary>
internal static class FlightReplayPlan
{
    /// <summary>Taxi, climb and descent added to the cruise time, and the cruise speed (the files have no schedule).</summary>
    public static readonly TimeSpan GroundTime = TimeSpan.FromMinutes(30);

    public const double CruiseMilesPerHour = 500;

    /// <summary>No flight lands sooner than this after departing, whatever a (noisy) early arrival says.</summary>
    public static readonly TimeSpan MinimumFlightTime = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Every departure and arrival in publication order: by event time, a departure before an arrival at the same
    /// time, then by the record's index in the file. Lazy: departures are taken in (time, index) order and merged with
    /// a heap of the arrivals still to be reported, so a replay of 3M flights holds only the few hours of pending
    /// arrivals, not 6M items. <see cref="FlightDataset"/> rows are already in that order; any other order is sorted
    /// first (the flight references only).
    /// </summary>
    public static IEnumerable<ReplayItem> Build(IEnumerable<FlightRecord> flights, ReplayOptions options) =>
        Merge(FlightDataset.InDepartureOrder(flights), options);

    /// <summary>
    /// Each departure, preceded by every pending arrival reported strictly before it; an arrival is reported at least
    /// <see cref="MinimumFlightTime"/> after its own departure, so it is always pending by the time it is due.
    /// </summary>
    private static IEnumerable<ReplayItem> Merge(IReadOnlyList<FlightRecord> departures, ReplayOptions options)
    {
        var pending = new PriorityQueue<FlightRecord, (DateTime At, int Index)>();
        foreach (var flight in departures)
        {
            var departure = Departure(flight, options);
            while (pending.TryPeek(out var landed, out var due) && due.At < departure.At)
            {
                pending.Dequeue();
                yield return Arrival(landed, options);
            }
            yield return departure;
            pending.Enqueue(flight, (ReportedAt(flight, options), flight.Index));
        }
        while (pending.TryDequeue(out var landed, out _))
        {
            yield return Arrival(landed, options);
        }
    }

    public static string FlightId(FlightRecord flight, ReplayOptions options) => $"{options.Source}/{flight.Index}";

    /// <summary>Scheduled block time from the distance, plus the arrival delay, never under <see cref="MinimumFlightTime"/>.</summary>
    public static DateTime Landing(FlightRecord flight)
    {
        var scheduled = GroundTime + TimeSpan.FromHours(flight.Distance / CruiseMilesPerHour);
        var actual = scheduled + TimeSpan.FromMinutes(flight.ArrivalDelayMinutes);
        return Utc(flight.Departure) + (actual > MinimumFlightTime ? actual : MinimumFlightTime);
    }

    /// <summary>When the arrival and its label are published: landing plus the reporting lag.</summary>
    public static DateTime ReportedAt(FlightRecord flight, ReplayOptions options) => Landing(flight) + options.LabelLag;

    private static ReplayItem Departure(FlightRecord flight, ReplayOptions options)
    {
        var at = Utc(flight.Departure);
        var id = FlightId(flight, options);
        return new ReplayItem(at, flight, Envelope(id + "/departure", id, "flight_departure", at, options, new Dictionary<string, object>
        {
            ["origin"] = flight.Origin,
            ["destination"] = flight.Destination,
            ["distance"] = flight.Distance,
            ["dep_hour"] = (long)at.Hour,
            ["day_of_week"] = (long)(at.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)at.DayOfWeek),
            ["month"] = (long)at.Month,
        }), Label: null);
    }

    private static ReplayItem Arrival(FlightRecord flight, ReplayOptions options)
    {
        var landed = Landing(flight);
        var reported = ReportedAt(flight, options);
        var id = FlightId(flight, options);
        var delayed = FlightLabel.IsDelayed(flight.ArrivalDelayMinutes);
        var arrival = Envelope(id + "/arrival", id, "flight_arrival", landed, options, new Dictionary<string, object>
        {
            ["origin"] = flight.Origin,
            ["destination"] = flight.Destination,
            ["arr_delay"] = flight.ArrivalDelayMinutes,
            ["delayed"] = delayed ? 1L : 0L,
        });
        var label = new Label
        {
            label_id = id + "/label",
            join_key = id + "/departure",
            join_key_kind = "event_id",
            tenant_id = options.TenantId,
            label_name = ReplayOptions.LabelName,
            value = delayed ? 1 : 0,
            observed_at = reported,
            source = $"{ReplayOptions.ProducerId} {options.Source}",
        };
        return new ReplayItem(reported, flight, arrival, label);
    }

    private static EventEnvelope Envelope(
        string eventId, string entityId, string eventType, DateTime at, ReplayOptions options, Dictionary<string, object> attributes) => new()
    {
        event_id = eventId,
        tenant_id = options.TenantId,
        entity_id = entityId,
        event_type = eventType,
        event_time = at,
        attributes = attributes,
        producer = new ProducerMetadata { producer_id = ReplayOptions.ProducerId },
    };

    private static DateTime Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc);
}
