using System.Globalization;

namespace MlOps.Training;

/// <summary>
/// Which departures a run uses: <see cref="From"/> inclusive to <see cref="To"/> exclusive (null = open), and where the
/// holdout starts (null = the chronological <see cref="TrainingRequest.TrainFraction"/> split). Its messages name the
/// <c>mlops train</c> options that set it: --from, --to and --holdout-from.
/// </summary>
public sealed record TrainingWindow(DateTime? From = null, DateTime? To = null, DateTime? HoldoutFrom = null)
{
    /// <summary>What the time options accept, in the file's clock.</summary>
    public static readonly string[] TimeFormats = ["yyyy-MM-dd", "yyyy-MM-ddTHH:mm"];

    /// <summary>Every departure, holdout = the latest share.</summary>
    public static readonly TrainingWindow All = new();

    public static bool TryParseTime(string text, out DateTime time) =>
        DateTime.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    public static string Format(DateTime time) => time.ToString(TimeFormats[1], CultureInfo.InvariantCulture);

    /// <summary>What is wrong before any data is read: an empty range, or a holdout cut leaving nothing to train or hold out.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (From is { } from && To is { } to && from >= to)
        {
            problems.Add($"--from {Format(from)} is not before --to {Format(to)}: the range is empty");
        }
        if (HoldoutFrom is { } cut && From is { } start && cut <= start)
        {
            problems.Add($"--holdout-from {Format(cut)} is not after --from {Format(start)}: nothing would be left to train on");
        }
        if (HoldoutFrom is { } cutAt && To is { } end && cutAt >= end)
        {
            problems.Add($"--holdout-from {Format(cutAt)} is not before --to {Format(end)}: nothing would be left to hold out");
        }
        return problems;
    }

    /// <summary>The range as the options give it, e.g. "--from 2001-02-01T00:00 --to (end)".</summary>
    public string Describe() => $"--from {Bound(From, "(start)")} --to {Bound(To, "(end)")}";

    private static string Bound(DateTime? time, string open) => time is { } t ? Format(t) : open;
}
