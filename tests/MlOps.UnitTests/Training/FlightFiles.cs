using System.Globalization;
using MlOps.Training;
using Parquet;
using Parquet.Schema;

namespace MlOps.UnitTests.Training;

/// <summary>
/// Small flights files for tests, as JSON like flights-*.json or as Parquet with flights-3m.parquet's column types
/// (nullable INT64 TIMESTAMP micros not adjusted to UTC, INT64 numbers, UTF-8 airports).
/// </summary>
internal static class FlightFiles
{
    public static readonly DateTimeDataField Date = new("date", DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Micros, isNullable: true);
    public static readonly DataField<long?> Delay = new("delay");
    public static readonly DataField<long?> Distance = new("distance");
    public static readonly DataField<string> Origin = new("origin", nullable: true);
    public static readonly DataField<string> Destination = new("destination", nullable: true);

    /// <summary>One row; <see cref="Date"/> as "yyyy/MM/dd HH:mm", null fields written as nulls.</summary>
    public sealed record Row(string? Date, long? Delay, long? Distance, string? Origin, string? Destination);

    public static async Task<string> WriteParquetAsync(string path, IReadOnlyList<Row> rows)
    {
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(Date, Delay, Distance, Origin, Destination), file);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<DateTime>(Date, rows.Select(r => r.Date is null ? (DateTime?)null : ParseDate(r.Date)).ToArray());
        await group.WriteAsync<long>(Delay, rows.Select(r => r.Delay).ToArray());
        await group.WriteAsync<long>(Distance, rows.Select(r => r.Distance).ToArray());
        await group.WriteAsync(Origin, rows.Select(r => r.Origin).ToArray());
        await group.WriteAsync(Destination, rows.Select(r => r.Destination).ToArray());
        return path;
    }

    public static string WriteJson(string path, IReadOnlyList<Row> rows)
    {
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(rows.Select(r => new
        {
            date = r.Date, delay = r.Delay, distance = r.Distance, origin = r.Origin, destination = r.Destination,
        })));
        return path;
    }

    private static DateTime ParseDate(string date) => DateTime.ParseExact(date, FlightDataset.DateFormat, CultureInfo.InvariantCulture);
}
