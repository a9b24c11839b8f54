using Parquet;
using Parquet.Schema;

namespace MlOps.Training;

/// <summary>
/// vega-datasets' flights-3m.parquet (3M rows, January–June 2001, in departure order): columns <c>date</c> (INT64
/// TIMESTAMP in microseconds, not adjusted to UTC), <c>delay</c> and <c>distance</c> (INT64) and <c>origin</c> and
/// <c>destination</c> (UTF-8), all nullable. The timestamp is the same wall clock the JSON files write as
/// "yyyy/MM/dd HH:mm" (their rows are samples of this file), and it is taken as such whatever time zone the machine is
/// in. Read one row group at a time, so only the rows themselves stay in memory.
/// </summary>
internal static class FlightParquet
{
    /// <summary>What a date must be, for a skipped row's reason.</summary>
    public const string DateExpectation = "a timestamp";

    private static readonly Type[] DateTypes = [typeof(DateTime)];
    private static readonly Type[] NumberTypes = [typeof(long), typeof(int), typeof(double)];
    private static readonly Type[] StringTypes = [typeof(string), typeof(ReadOnlyMemory<char>)];

    /// <summary>Every row of the file; a file that is not Parquet or lacks a column is a <see cref="FormatException"/> saying which.</summary>
    public static async Task<FlightDataset> ReadAsync(string path, CancellationToken ct)
    {
        await using var reader = await OpenAsync(path, ct);
        var date = Column(reader.Schema, "date", DateTypes);
        var delay = Column(reader.Schema, "delay", NumberTypes);
        var distance = Column(reader.Schema, "distance", NumberTypes);
        var origin = Column(reader.Schema, "origin", StringTypes);
        var destination = Column(reader.Schema, "destination", StringTypes);

        var rows = new FlightRowCollector(DateExpectation, (int)Math.Min(reader.Metadata?.NumRows ?? 0, Array.MaxLength));
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = checked((int)group.RowCount);
            var dates = new DateTime?[count];
            await group.ReadAsync<DateTime>(date, dates, cancellationToken: ct);
            var delays = await NumbersAsync(group, delay, count, ct);
            var distances = await NumbersAsync(group, distance, count, ct);
            var origins = new string?[count];
            await group.ReadAsync(origin, origins, cancellationToken: ct);
            var destinations = new string?[count];
            await group.ReadAsync(destination, destinations, cancellationToken: ct);
            for (var i = 0; i < count; i++)
            {
                rows.Add(new FlightFields(dates[i], delays[i], distances[i], origins[i], destinations[i]));
            }
        }
        return rows.ToDataset();
    }

    private static async Task<ParquetReader> OpenAsync(string path, CancellationToken ct)
    {
        try
        {
            return await ParquetReader.CreateAsync(path, cancellationToken: ct);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new FormatException($"not a readable Parquet file ({ex.Message})", ex);
        }
    }

    /// <summary>The named column, if the file has it with one of the types this reader understands.</summary>
    private static DataField Column(ParquetSchema schema, string name, Type[] types)
    {
        var fields = schema.GetDataFields();
        var field = fields.FirstOrDefault(f => f.Name == name)
            ?? throw new FormatException($"no '{name}' column (columns: {string.Join(", ", fields.Select(f => f.Name))})");
        if (!types.Contains(field.ClrType) || field.IsArray)
        {
            throw new FormatException(
                $"column '{name}' holds {(field.IsArray ? "lists of " : "")}{field.ClrType.Name}; expected {string.Join(" or ", types.Select(t => t.Name))}");
        }
        return field;
    }

    /// <summary>An integer or floating-point column as doubles, the type <see cref="FlightRecord"/> holds; null stays null.</summary>
    private static async Task<double?[]> NumbersAsync(ParquetRowGroupReader group, DataField field, int count, CancellationToken ct)
    {
        if (field.ClrType == typeof(double))
        {
            var doubles = new double?[count];
            await group.ReadAsync<double>(field, doubles, cancellationToken: ct);
            return doubles;
        }
        if (field.ClrType == typeof(int))
        {
            var ints = new int?[count];
            await group.ReadAsync<int>(field, ints, cancellationToken: ct);
            return Array.ConvertAll(ints, v => (double?)v);
        }
        var longs = new long?[count];
        await group.ReadAsync<long>(field, longs, cancellationToken: ct);
        return Array.ConvertAll(longs, v => (double?)v);
    }
}
