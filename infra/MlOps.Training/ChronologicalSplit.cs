namespace MlOps.Training;

/// <summary>Train on the earlier rows, hold out the later ones: the holdout is the future the model has not seen.</summary>
public static class ChronologicalSplit
{
    /// <param name="rows">In event-time order.</param>
    public static (IReadOnlyList<T> Train, IReadOnlyList<T> Holdout) Split<T>(IReadOnlyList<T> rows, double trainFraction)
    {
        if (trainFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(trainFraction), trainFraction, "must be strictly between 0 and 1");
        }
        var cut = (int)Math.Floor(rows.Count * trainFraction);
        return (rows.Take(cut).ToList(), rows.Skip(cut).ToList());
    }

    /// <summary>Rows before <paramref name="holdoutFrom"/> train, rows at or after it are the holdout; each keeps its order.</summary>
    public static (IReadOnlyList<T> Train, IReadOnlyList<T> Holdout) Split<T>(IReadOnlyList<T> rows, Func<T, DateTime> time, DateTime holdoutFrom) =>
        (rows.Where(r => time(r) < holdoutFrom).ToList(), rows.Where(r => time(r) >= holdoutFrom).ToList());

    /// <summary>The rows in [<paramref name="from"/>, <paramref name="to"/>): from inclusive, to exclusive, a null bound open.</summary>
    public static IReadOnlyList<T> Within<T>(IReadOnlyList<T> rows, Func<T, DateTime> time, DateTime? from, DateTime? to) =>
        rows.Where(r => (from is not { } f || time(r) >= f) && (to is not { } t || time(r) < t)).ToList();
}
