namespace MlOps.Training;

/// <summary>
/// A flights file's rows in file order, whatever its format: each row gets the next index and passes the same checks
/// (a date, a finite delay, a finite distance &gt;= 0, 3-letter uppercase airports) or is reported as skipped with the
/// field that failed. Airport codes are pooled, so 3M rows share a few hundred strings instead of holding 6M copies.
/// </summary>
/// <param name="dateExpectation">What the format's date should have been, for the reason, e.g. "'yyyy/MM/dd HH:mm'".</param>
internal sealed class FlightRowCollector(string dateExpectation, int capacity = 0)
{
    private readonly List<FlightRecord> _rows = new(capacity);
    private readonly List<SkippedRow> _skipped = [];
    private readonly HashSet<string> _airports = new(StringComparer.Ordinal);
    private int _next;

    /// <summary>The next row: kept if it passes <see cref="Problem"/>, otherwise reported with the reason.</summary>
    public void Add(in FlightFields fields)
    {
        var index = _next++;
        if (Problem(fields, dateExpectation) is { } reason)
        {
            _skipped.Add(new SkippedRow(index, reason));
            return;
        }
        _rows.Add(new FlightRecord(
            index,
            DateTime.SpecifyKind(fields.Date!.Value, DateTimeKind.Unspecified),
            fields.Delay!.Value,
            fields.Distance!.Value,
            Pooled(fields.Origin!),
            Pooled(fields.Destination!)));
    }

    /// <summary>The next row cannot even be read as fields (e.g. a JSON element that is not an object).</summary>
    public void Skip(string reason) => _skipped.Add(new SkippedRow(_next++, reason));

    /// <summary>The usable rows in departure order (stable: ties keep file order) and the skipped ones.</summary>
    public FlightDataset ToDataset() => new(FlightDataset.InDepartureOrder(_rows), _skipped);

    /// <summary>Why a row cannot be used, naming the first field that fails; null when it can.</summary>
    public static string? Problem(in FlightFields fields, string dateExpectation)
    {
        if (fields.Date is null) return $"date: missing or not {dateExpectation}";
        if (fields.Delay is not { } delay || !double.IsFinite(delay)) return "delay: missing or not a number";
        if (fields.Distance is not { } distance || !double.IsFinite(distance) || distance < 0) return "distance: missing, not a number or negative";
        if (!IsAirport(fields.Origin)) return "origin: missing or not a 3-letter airport code";
        if (!IsAirport(fields.Destination)) return "destination: missing or not a 3-letter airport code";
        return null;
    }

    public static bool IsAirport(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);

    private string Pooled(string code)
    {
        if (_airports.TryGetValue(code, out var pooled)) return pooled;
        _airports.Add(code);
        return code;
    }
}
