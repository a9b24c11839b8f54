namespace MlOps.Common.Stats;

/// <summary>
/// Area under the ROC curve of scores against binary outcomes: the probability that a random positive scores above
/// a random negative, ties counting half (the Mann–Whitney U statistic over the rank sums).
/// </summary>
public static class BinaryAuc
{
    /// <returns>Null when either class is absent (the AUC is undefined).</returns>
    public static double? Compute(IEnumerable<(double Score, bool Positive)> samples)
    {
        var sorted = samples.OrderBy(s => s.Score).ToArray();
        long positives = sorted.Count(s => s.Positive), negatives = sorted.Length - positives;
        if (positives == 0 || negatives == 0) return null;
        double positiveRankSum = 0;
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j < sorted.Length && sorted[j].Score == sorted[i].Score) j++;
            var averageRank = (i + 1 + j) / 2.0; // ranks i+1 .. j share their mean
            for (var k = i; k < j; k++)
            {
                if (sorted[k].Positive) positiveRankSum += averageRank;
            }
            i = j;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }
}
