namespace MlOps.Training;

/// <summary>One departure of the BTS sample: its index in the source file, scheduled time and route, and the arrival delay.</summary>
public sealed record FlightRecord(int Index, DateTime Departure, double ArrivalDelayMinutes, double Distance, string Origin, string Destination)
{
    /// <summary>The event time the online system would stamp, in Unix milliseconds (the file's clock read as UTC).</summary>
    public long EventTimeMs => new DateTimeOffset(DateTime.SpecifyKind(Departure, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}
