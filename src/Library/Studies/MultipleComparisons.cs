namespace ArchNotebooks.Library.Studies;

/// <summary>
/// Corrections for testing several variants against one baseline at once: with k comparisons at
/// α = 0.05 each, the chance that some difference is a fluke grows towards 1 − 0.95^k.
/// </summary>
public static class MultipleComparisons
{
    /// <summary>
    /// Holm–Bonferroni adjusted p-values (Holm, 1979), in the input's order: sort the m defined p-values
    /// ascending, multiply the i-th smallest (from 1) by m − i + 1, carry the running maximum so the
    /// adjusted values keep the raw order, and cap at 1. Rejecting where the adjusted p is below α
    /// controls the family-wise error rate at α. NaN (an undefined test) stays NaN and does not count in m.
    /// </summary>
    public static double[] HolmBonferroni(IReadOnlyList<double> pValues)
    {
        foreach (var p in pValues)
            if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(pValues), p, "p-values lie in [0, 1]");
        var adjusted = Enumerable.Repeat(double.NaN, pValues.Count).ToArray();
        var order = Enumerable.Range(0, pValues.Count).Where(i => !double.IsNaN(pValues[i])).OrderBy(i => pValues[i]).ToList();
        int m = order.Count;
        double running = 0;
        for (int rank = 0; rank < m; rank++)
        {
            int i = order[rank];
            running = Math.Max(running, Math.Min(1, (m - rank) * pValues[i]));
            adjusted[i] = running;
        }
        return adjusted;
    }
}
