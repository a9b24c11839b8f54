using System.Globalization;
using MlOps.Contracts;

namespace MlOps.Training;

/// <summary>
/// Training rows from the prediction log: each prediction of one arm carries the exact feature values its model was
/// served (after defaults), so joined with the label of the event it scored it is a point-in-time correct example —
/// no feature is recomputed, nothing can leak from after the prediction. Pure: the caller reads the topics.
/// </summary>
public sealed record LoggedTrainingSet(IReadOnlyList<(DateTime EventTime, FlightTrainingRow Row)> Rows, IReadOnlyDictionary<string, int> Dropped)
{
    /// <summary>
    /// The arm's predictions (the first of each event id; redeliveries repeat it) joined with the labels whose
    /// <c>join_key</c> is that event id, in event-time order. A prediction without a label, without every feature the
    /// model reads, or with a value that is not a number is counted by reason in <see cref="Dropped"/>.
    /// </summary>
    public static LoggedTrainingSet Join(IEnumerable<Prediction> predictions, IEnumerable<Label> labels, string arm)
    {
        var truth = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            if (label.join_key_kind == "event_id") truth[label.join_key] = label.value > 0.5;
        }
        var dropped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<(DateTime, FlightTrainingRow)>();
        foreach (var p in predictions)
        {
            if (p.arm != arm || p.event_id is not { } id || !seen.Add(id)) continue;
            if (!truth.TryGetValue(id, out var delayed))
            {
                Count(dropped, "no label yet");
                continue;
            }
            if (Values(p.served_features) is not { } values)
            {
                Count(dropped, "served features are not the model's");
                continue;
            }
            rows.Add((p.event_time, FlightTrainingRow.Of(values, delayed)));
        }
        return new LoggedTrainingSet(rows.OrderBy(r => r.Item1).ToList(), dropped);
    }

    /// <summary>Where the rows came from, for the manifest's training_data.</summary>
    public string Describe(string arm) => Rows.Count == 0
        ? $"mlops.predictions arm {arm} joined with mlops.labels: no rows"
        : string.Create(CultureInfo.InvariantCulture,
            $"logged served features: mlops.predictions arm {arm} joined with mlops.labels on event_id, {Rows.Count} rows, event time {Rows[0].EventTime:yyyy-MM-dd HH:mm} .. {Rows[^1].EventTime:yyyy-MM-dd HH:mm}{(Dropped.Count == 0 ? "" : "; dropped " + string.Join(", ", Dropped.Select(d => $"{d.Value} {d.Key}")))}");

    private static float[]? Values(IDictionary<string, object> served)
    {
        var values = new float[FlightFeatures.All.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (!served.TryGetValue(FlightFeatures.All[i].Feature, out var value)) return null;
            switch (value)
            {
                case double d: values[i] = (float)d; break;
                case long l: values[i] = l; break;
                default: return null;
            }
        }
        return values;
    }

    private static void Count(SortedDictionary<string, int> counts, string reason) => counts[reason] = counts.GetValueOrDefault(reason) + 1;
}
