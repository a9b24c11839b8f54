using System.Globalization;
using System.Text.Json;

namespace MlOps.Training;

/// <summary>
/// A vega-datasets flights file: flights-*.json (an array of {date: "yyyy/MM/dd HH:mm", delay, distance, origin,
/// destination}) or flights-3m.parquet (the same five columns, see <see cref="FlightParquet"/>). Every row that cannot be
/// used is reported with its index and reason, never dropped silently; the usable rows are returned in departure order
/// (stable, so ties keep file order). Both formats share one set of row checks (<see cref="FlightRowCollector"/>).
/// </summary>
public sealed record FlightDataset(IReadOnlyList<FlightRecord> Rows, IReadOnlyList<SkippedRow> Skipped)
{
    public const string DateFormat = "yyyy/MM/dd HH:mm";

    /// <summary>The file extensions <see cref="LoadAsync"/> reads, with what each is.</summary>
    public const string SupportedFormats = ".json (vega-datasets flights-*.json) and .parquet (flights-3m.parquet)";

    /// <summary>
    /// Reads the file by its extension; any other extension, or a file its format cannot read, is a
    /// <see cref="FormatException"/> that starts with the path.
    /// </summary>
    public static async Task<FlightDataset> LoadAsync(string path, CancellationToken ct)
    {
        Func<string, CancellationToken, Task<FlightDataset>> read = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => (file, _) => Task.FromResult(LoadJson(file)),
            ".parquet" => FlightParquet.ReadAsync,
            var other => throw new FormatException(
                $"{path}: cannot read {(other.Length == 0 ? "a file without an extension" : $"'{other}' files")} as flights; supported: {SupportedFormats}"),
        };
        try
        {
            return await read(path, ct);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }
    }

    public static FlightDataset Parse(string json) => Parse(JsonDocument.Parse(json));

    private static FlightDataset LoadJson(string path)
    {
        using var stream = File.OpenRead(path);
        return Parse(JsonDocument.Parse(stream));
    }

    private static FlightDataset Parse(JsonDocument document)
    {
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"the flights file must hold a JSON array, not {document.RootElement.ValueKind}");
            }
            var rows = new FlightRowCollector($"'{DateFormat}'", document.RootElement.GetArrayLength());
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind == JsonValueKind.Object)
                {
                    rows.Add(Fields(element));
                }
                else
                {
                    rows.Skip($"not an object ({element.ValueKind})");
                }
            }
            return rows.ToDataset();
        }
    }

    /// <summary>The row's fields as JSON gives them; a date not in <see cref="DateFormat"/> or a non-number counts as missing.</summary>
    private static FlightFields Fields(JsonElement element) => new(
        String(element, "date") is { } text && DateTime.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null,
        Number(element, "delay"),
        Number(element, "distance"),
        String(element, "origin"),
        String(element, "destination"));

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetDouble(out var value) ? value : null;

    /// <summary>
    /// The flights themselves when they are already in (departure, index) order (flights-3m is, and a dataset's rows
    /// are), else sorted into it: the order training splits by and a replay publishes in.
    /// </summary>
    public static IReadOnlyList<FlightRecord> InDepartureOrder(IEnumerable<FlightRecord> flights)
    {
        var list = flights as IReadOnlyList<FlightRecord> ?? flights.ToList();
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i].Departure < list[i - 1].Departure || list[i].Departure == list[i - 1].Departure && list[i].Index < list[i - 1].Index)
            {
                return list.OrderBy(f => f.Departure).ThenBy(f => f.Index).ToList();
            }
        }
        return list;
    }
}
