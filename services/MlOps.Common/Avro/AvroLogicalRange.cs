namespace MlOps.Common.Avro;

/// <summary>
/// The encoded values Apache.Avro can turn into the .NET type of a date or time logical type. Outside them its
/// conversion throws <see cref="ArgumentOutOfRangeException"/> (or, for the microsecond types, silently wraps the
/// tick count), after the guard has passed the bytes: a producer's clock bug or a forged year-10000 timestamp would
/// then escape as a system failure instead of a rejected payload, so the walker checks these ranges itself.
/// </summary>
/// <param name="Min">Smallest encoded value that converts.</param>
/// <param name="Max">Largest encoded value that converts.</param>
/// <param name="Meaning">What the range is, for the rejection reason.</param>
internal readonly record struct AvroLogicalRange(long Min, long Max, string Meaning)
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;
    private static readonly long TicksAfterEpoch = DateTime.MaxValue.Ticks - EpochTicks;

    private const string DateTimeRange = "years 1 to 9999, what a DateTime holds";
    private const string TimeOfDay = "a time of day";

    private static readonly AvroLogicalRange Millis =
        new(-EpochTicks / TimeSpan.TicksPerMillisecond, TicksAfterEpoch / TimeSpan.TicksPerMillisecond, DateTimeRange);

    private static readonly AvroLogicalRange Micros =
        new(-EpochTicks / TicksPerMicrosecond, TicksAfterEpoch / TicksPerMicrosecond, DateTimeRange);

    private static readonly AvroLogicalRange Days =
        new(-EpochTicks / TimeSpan.TicksPerDay, TicksAfterEpoch / TimeSpan.TicksPerDay, DateTimeRange);

    private static readonly AvroLogicalRange TimeMillis = new(0, (TimeSpan.TicksPerDay / TimeSpan.TicksPerMillisecond) - 1, TimeOfDay);

    private static readonly AvroLogicalRange TimeMicros = new(0, (TimeSpan.TicksPerDay / TicksPerMicrosecond) - 1, TimeOfDay);

    /// <summary>The range for a logical type Apache.Avro converts to a date or time; null for any other.</summary>
    public static AvroLogicalRange? Of(string logicalTypeName) => logicalTypeName switch
    {
        "timestamp-millis" or "local-timestamp-millis" => Millis,
        "timestamp-micros" or "local-timestamp-micros" => Micros,
        "date" => Days,
        "time-millis" => TimeMillis,
        "time-micros" => TimeMicros,
        _ => null,
    };

    public bool Contains(long value) => value >= Min && value <= Max;
}
