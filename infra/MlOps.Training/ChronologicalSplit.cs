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
}
