using MlOps.Training;
using Parquet;
using Parquet.Schema;

namespace MlOps.UnitTests.Training;

/// <summary>
/// flights-3m.parquet through <see cref="FlightDataset.LoadAsync"/>: on small files written here with the real file's column
/// types (nullable INT64 TIMESTAMP micros not adjusted to UTC, INT64 numbers, UTF-8 airports), the same rows, checks and
/// skipped-row reasons as the JSON files.
/// </summary>
public sealed class FlightParquetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlops-parquet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly FlightFiles.Row[] Rows =
    [
        new("2001/01/01 00:05", 33, 2176, "LAS", "PHL"),
        new("2001/01/01 00:01", -13, 2345, "ANC", "LAX"),
        new("2001/01/01 00:01", 14, 405, "mci", "MDW"),
        new("2001/01/01 00:02", null, 75, "RIC", "ORF"),
        new(null, 1, 75, "RIC", "ORF"),
        new("2001/01/01 00:01", 19, 215, "ATL", "SAV"),
    ];

    [Fact]
    public async Task Rows_come_back_in_departure_order_as_the_files_wall_clock_with_bad_rows_reported()
    {
        var data = await FlightDataset.LoadAsync(await WriteAsync("flights.parquet", Rows), CancellationToken.None);

        Assert.Equal([1, 5, 0], data.Rows.Select(r => r.Index));
        var first = data.Rows[0];
        Assert.Equal(new FlightRecord(1, new DateTime(2001, 1, 1, 0, 1, 0), -13, 2345, "ANC", "LAX"), first);
        Assert.Equal(DateTimeKind.Unspecified, first.Departure.Kind);
        Assert.Equal(new DateTimeOffset(2001, 1, 1, 0, 1, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), first.EventTimeMs);
        Assert.Equal(
            ["row 2: origin: missing or not a 3-letter airport code", "row 3: delay: missing or not a number", "row 4: date: missing or not a timestamp"],
            data.Skipped.Select(s => s.ToString()));
    }

    [Fact]
    public async Task The_same_rows_as_parquet_and_as_json_give_the_same_dataset()
    {
        var parquet = await FlightDataset.LoadAsync(await WriteAsync("flights.parquet", Rows), CancellationToken.None);
        var json = await FlightDataset.LoadAsync(WriteJson("flights.json", Rows), CancellationToken.None);

        Assert.Equal(json.Rows, parquet.Rows);
        Assert.Equal(json.Skipped.Select(s => (s.Index, Field(s.Reason))), parquet.Skipped.Select(s => (s.Index, Field(s.Reason))));
    }

    [Fact]
    public async Task The_test_files_have_the_column_types_of_flights_3m()
    {
        await using var reader = await ParquetReader.CreateAsync(await WriteAsync("flights.parquet", Rows));

        var date = Assert.IsType<DateTimeDataField>(reader.Schema.DataFields[0]);
        Assert.Equal((DateTimeFormat.Timestamp, false, DateTimeTimeUnit.Micros, true), (date.DateTimeFormat, date.IsAdjustedToUTC, date.Unit, date.IsNullable));
        Assert.Equal(
            ["date:INT64", "delay:INT64", "distance:INT64", "origin:BYTE_ARRAY", "destination:BYTE_ARRAY"],
            reader.Metadata!.RowGroups[0].Columns.Select(c => $"{c.MetaData!.PathInSchema[0]}:{c.MetaData.Type}"));
    }

    [Fact]
    public async Task A_file_without_a_column_is_refused_naming_the_file_and_the_column()
    {
        var path = Path.Combine(_dir, "flights.parquet");
        await using (var file = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(FlightFiles.Date, FlightFiles.Delay), file))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync<DateTime>(FlightFiles.Date, new DateTime?[] { new DateTime(2001, 1, 1) });
            await group.WriteAsync<long>(FlightFiles.Delay, new long?[] { 1 });
        }

        var error = await Assert.ThrowsAsync<FormatException>(() => FlightDataset.LoadAsync(path, CancellationToken.None));

        Assert.Equal($"{path}: no 'distance' column (columns: date, delay)", error.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_is_a_format_error_naming_it()
    {
        var path = Path.Combine(_dir, "flights.parquet");
        File.WriteAllText(path, """[{"date":"2001/01/01 00:01"}]""");

        var error = await Assert.ThrowsAsync<FormatException>(() => FlightDataset.LoadAsync(path, CancellationToken.None));

        Assert.StartsWith($"{path}: not a readable Parquet file", error.Message);
    }

    [Theory]
    [InlineData("flights-200k.arrow")]
    [InlineData("flights.csv")]
    [InlineData("flights")]
    public async Task Another_extension_is_refused_naming_the_supported_formats(string name)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "date,delay\n");

        var error = await Assert.ThrowsAsync<FormatException>(() => FlightDataset.LoadAsync(path, CancellationToken.None));

        Assert.StartsWith(path + ": cannot read ", error.Message);
        Assert.EndsWith("supported: .json (vega-datasets flights-*.json) and .parquet (flights-3m.parquet)", error.Message);
    }

    private static string Field(string reason) => reason[..reason.IndexOf(':')];

    private Task<string> WriteAsync(string name, IReadOnlyList<FlightFiles.Row> rows) => FlightFiles.WriteParquetAsync(Path.Combine(_dir, name), rows);

    private string WriteJson(string name, IReadOnlyList<FlightFiles.Row> rows) => FlightFiles.WriteJson(Path.Combine(_dir, name), rows);
}
