using System.Globalization;
using Avro.IO;
using Avro.Specific;
using MlOps.Contracts;

namespace MlOps.Benchmarks;

/// <summary>Departure events that satisfy infra/examples/flights/spec.yaml.</summary>
internal static class SampleEvents
{
    private static readonly string[] Airports = ["JFK", "LAX", "ORD", "ATL", "DFW", "DEN", "SFO", "SEA"];

    public static EventEnvelope Departure(string id, DateTime eventTime, long depHour) => new()
    {
        event_id = id,
        tenant_id = "airline-a",
        entity_id = "AA" + (id.GetHashCode() & 0xFFF).ToString(CultureInfo.InvariantCulture),
        event_type = "flight_departure",
        event_time = eventTime,
        attributes = new Dictionary<string, object>
        {
            ["origin"] = Airports[depHour % Airports.Length],
            ["destination"] = Airports[(depHour + 3) % Airports.Length],
            ["distance"] = 300.0 + depHour * 50,
            ["dep_hour"] = depHour,
            ["day_of_week"] = 3L,
            ["month"] = 3L,
        },
        producer = new ProducerMetadata { producer_id = "bench" },
    };

    public static byte[] Encode(EventEnvelope envelope)
    {
        using var stream = new MemoryStream();
        new SpecificDatumWriter<EventEnvelope>(EventEnvelope._SCHEMA).Write(envelope, new BinaryEncoder(stream));
        return stream.ToArray();
    }
}
