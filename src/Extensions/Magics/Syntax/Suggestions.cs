namespace ArchNotebooks.Extensions.Magics.Syntax;

/// <summary>"Did you mean ...?": the closest candidate by edit distance (with adjacent swaps), if it is close enough to be a typo.</summary>
public static class Suggestions
{
    public static string? Closest(string given, IEnumerable<string> candidates)
    {
        var g = given.ToLowerInvariant();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var c = candidate.ToLowerInvariant();
            int d = c.StartsWith(g, StringComparison.Ordinal) && g.Length >= 2 ? 0
                : c.Contains(g, StringComparison.Ordinal) && g.Length >= 3 ? 1
                : IsAbbreviation(g, c) ? 2
                : Distance(g, c);
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        // A typo changes a few characters; beyond that the suggestion would be noise.
        return best is not null && bestDistance <= Math.Max(2, given.Length / 3) ? best : null;
    }

    /// <summary>"attn" for "attention", "pos" for "position": same first letter, the rest in order.</summary>
    static bool IsAbbreviation(string given, string candidate)
    {
        if (given.Length < 3 || candidate.Length == 0 || given[0] != candidate[0]) return false;
        int k = 0;
        foreach (var ch in candidate) if (k < given.Length && ch == given[k]) k++;
        return k == given.Length;
    }

    /// <summary>" Did you mean 'x'?" or "".</summary>
    public static string DidYouMean(string given, IEnumerable<string> candidates, string prefix = "") =>
        Closest(given, candidates) is { } s ? $" Did you mean '{prefix}{s}'?" : "";

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and transpositions cost 1.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
