namespace MlOps.Common.Spec;

/// <summary>What an aggregation computes. Windowed ones need <c>windows</c>; the others describe the newest event.</summary>
public enum AggregationFunction
{
    Count,
    Sum,
    Mean,
    Min,
    Max,
    DistinctCount,
    Last,
    TimeSinceLast,
}

/// <summary>A window length with the label it was written with (<c>10m</c>), which names its features.</summary>
public sealed record FeatureWindow(TimeSpan Length, string Label);

/// <summary>One aggregation of a view: <c>function</c> over <c>attribute</c> for each window.</summary>
public sealed record Aggregation(string Name, AggregationFunction Function, string? Attribute, IReadOnlyList<FeatureWindow> Windows)
{
    public bool IsWindowed => Function is not (AggregationFunction.Last or AggregationFunction.TimeSinceLast);

    /// <summary>Feature names this aggregation produces: <c>name_window</c> per window, or <c>name</c>.</summary>
    public IEnumerable<string> FeatureNames => IsWindowed ? Windows.Select(w => FeatureName(w)) : [Name];

    public string FeatureName(FeatureWindow window) => $"{Name}_{window.Label}";
}

/// <summary>
/// A feature view: aggregations of the events of <paramref name="Sources"/> per entity, the entity key being the
/// values of <paramref name="EntityAttributes"/> joined with '|'. Windows are event-time sliding windows made of
/// <paramref name="TilesPerWindow"/> tiles each; an event older than its partition's watermark minus
/// <paramref name="AllowedLateness"/> is counted as late and not applied. A value whose entity's newest event is
/// older than <paramref name="Ttl"/> at read time is reported as expired.
/// </summary>
public sealed record FeatureView(
    string Name,
    string Version,
    IReadOnlyList<string> EntityAttributes,
    IReadOnlyList<string> Sources,
    TimeSpan Ttl,
    TimeSpan AllowedLateness,
    int TilesPerWindow,
    IReadOnlyList<Aggregation> Aggregations)
{
    public const int DefaultTilesPerWindow = 12;

    /// <summary>The distinct windows of the view, shortest first; each has its own tile series.</summary>
    public IReadOnlyList<FeatureWindow> Windows { get; } = DistinctWindows(Name, Aggregations);

    public IEnumerable<string> FeatureNames => Aggregations.SelectMany(a => a.FeatureNames);

    /// <summary>Redis commands one read of an entity takes: its HGETALL and a PFCOUNT per distinct-count feature.</summary>
    public int ReadOperations => 1 + Aggregations.Where(a => a.Function == AggregationFunction.DistinctCount).Sum(a => a.Windows.Count);

    /// <summary>Where the spec file sets <see cref="Version"/> (line, column), for errors that ask for a new version.</summary>
    public (int Line, int Column) VersionAt { get; init; } = (1, 1);

    /// <summary><c>name@version</c>: stamped on what the view writes.</summary>
    public string VersionTag => $"{Name}@{Version}";

    /// <summary>
    /// The windows of the aggregations, one per length. An aggregation's features are computed from the window equal
    /// to its own (label included), so two labels for one length would leave one of them never computed; the spec
    /// loader refuses that with its location, and a view built otherwise fails here.
    /// </summary>
    private static List<FeatureWindow> DistinctWindows(string view, IReadOnlyList<Aggregation> aggregations)
    {
        var windows = aggregations.SelectMany(a => a.Windows).Distinct().OrderBy(w => w.Length).ToList();
        for (var i = 1; i < windows.Count; i++)
        {
            if (windows[i].Length == windows[i - 1].Length)
            {
                throw new ArgumentException(
                    $"feature view {view}: windows {windows[i - 1].Label} and {windows[i].Label} are the same length; use one label", nameof(aggregations));
            }
        }
        return windows;
    }
}
