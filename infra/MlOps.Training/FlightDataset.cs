using System.Globalization;
using System.Text.Json;

namespace MlOps.Training;

/// <summary>
/// vega-datasets' flights-*.json (an array of {date: "yyyy/MM/dd HH:mm", delay, distance, origin, destination}).
/// Every row that cannot be used is reported with its index and reason, never dropped silently; the usable rows are
/// returned in departure order (stable, so ties keep file order).
/// </summary>
public sealed record FlightDataset(IReadOnlyList<FlightRecord> Rows, IReadOnlyList<SkippedRow> Skipped)
{
    public const string DateFormat = "yyyy/MM/dd HH:mm";

    public static FlightDataset Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Parse(JsonDocument.Parse(stream));
    }

    public static FlightDataset Parse(string json) => Parse(JsonDocument.Parse(json));

    private static FlightDataset Parse(JsonDocument document)
    {
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"the flights file must hold a JSON array, not {document.RootElement.ValueKind}");
            }
            var rows = new List<FlightRecord>();
            var skipped = new List<SkippedRow>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (TryRead(index, element, out var record, out var reason))
                {
                    rows.Add(record);
                }
                else
                {
                    skipped.Add(new SkippedRow(index, reason));
                }
                index++;
            }
            return new FlightDataset(rows.OrderBy(r => r.Departure).ToList(), skipped);
        }
    }

    private static bool TryRead(int index, JsonElement element, out FlightRecord record, out string reason)
    {
        record = null!;
        if (element.ValueKind != JsonValueKind.Object)
        {
            reason = $"not an object ({element.ValueKind})";
            return false;
        }
        if (!TryString(element, "date", out var dateText) || !DateTime.TryParseExact(dateText, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            reason = $"date: missing or not '{DateFormat}'";
            return false;
        }
        if (!TryNumber(element, "delay", out var delay))
        {
            reason = "delay: missing or not a number";
            return false;
        }
        if (!TryNumber(element, "distance", out var distance) || distance < 0)
        {
            reason = "distance: missing, not a number or negative";
            return false;
        }
        if (!TryString(element, "origin", out var origin) || !IsAirport(origin))
        {
            reason = "origin: missing or not a 3-letter airport code";
            return false;
        }
        if (!TryString(element, "destination", out var destination) || !IsAirport(destination))
        {
            reason = "destination: missing or not a 3-letter airport code";
            return false;
        }
        record = new FlightRecord(index, date, delay, distance, origin, destination);
        reason = "";
        return true;
    }

    private static bool TryString(JsonElement element, string name, out string value)
    {
        value = element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "";
        return value.Length > 0;
    }

    private static bool TryNumber(JsonElement element, string name, out double value)
    {
        value = 0;
        return element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetDouble(out value) && double.IsFinite(value);
    }

    private static bool IsAirport(string code) => code.Length == 3 && code.All(char.IsAsciiLetterUpper);
}
