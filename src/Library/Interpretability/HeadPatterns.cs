namespace ArchNotebooks.Library.Interpretability;

/// <summary>A known attention-head behaviour (Olsson et al. 2022; Elhage et al. 2021).</summary>
public enum HeadPattern
{
    /// <summary>Each query attends to the token just before it.</summary>
    PreviousToken,
    /// <summary>Each query attends to the first token (often a resting place when nothing else fits).</summary>
    FirstToken,
    /// <summary>Each query attends to itself.</summary>
    CurrentToken,
    /// <summary>Each query attends to earlier occurrences of its own token (a duplicate-token or copy head).</summary>
    DuplicateToken,
    /// <summary>Each query attends to the token that followed an earlier occurrence of its own token ([A][B] … [A] → [B]).</summary>
    Induction,
}

/// <summary>How one head attends: mean distance, entropy, a score for every known pattern and the best match.</summary>
public sealed record HeadProfile(double MeanDistance, double Entropy, IReadOnlyDictionary<HeadPattern, double> Scores)
{
    /// <summary>Score at or above which a head is said to match a pattern: at least half its attention goes where the pattern says.</summary>
    public const double MatchThreshold = 0.5;

    /// <summary>The highest-scoring pattern; null when no pattern could be scored (too few tokens).</summary>
    public (HeadPattern pattern, double score)? Best
    {
        get
        {
            if (Scores.Count == 0) return null;
            var best = Scores.MaxBy(s => s.Value);
            return (best.Key, best.Value);
        }
    }

    /// <summary>The best pattern when it reaches <see cref="MatchThreshold"/>.</summary>
    public HeadPattern? Match => Best is { } b && b.score >= MatchThreshold ? b.pattern : null;
}

/// <summary>
/// Scores one head's attention map [query][key] against the known patterns. Scores are the mean
/// attention mass a query puts where the pattern says, so 1 is a perfect match and they compare
/// across heads. Token-based patterns (duplicate, induction) need the tokens and count only queries
/// whose token occurred before; position patterns count queries from position 2 on, where the
/// previous and the first token differ.
/// </summary>
public static class HeadPatterns
{
    /// <param name="weights">Post-softmax weights [query][key]; self-attention when square.</param>
    /// <param name="tokens">The tokens at the positions (for square maps over the input); null when the positions are not input tokens.</param>
    public static HeadProfile Profile(double[][] weights, IReadOnlyList<string>? tokens = null)
    {
        int queries = weights.Length, keys = queries == 0 ? 0 : weights[0].Length;
        if (tokens is not null && (tokens.Count != queries || queries != keys))
            throw new ArgumentException($"tokens name {tokens.Count} positions but the map is {queries}x{keys}; token patterns need a square map over the tokens");
        double entropy = weights.Average(row => -row.Where(w => w > 0).Sum(w => w * Math.Log(w)));
        var scores = new Dictionary<HeadPattern, double>();
        if (queries != keys) return new HeadProfile(double.NaN, entropy, scores);
        double distance = Enumerable.Range(0, queries).Average(q => weights[q].Select((w, k) => w * Math.Abs(q - k)).Sum());
        if (queries >= 3)
        {
            var later = Enumerable.Range(2, queries - 2).ToList();
            scores[HeadPattern.PreviousToken] = later.Average(q => weights[q][q - 1]);
            scores[HeadPattern.FirstToken] = later.Average(q => weights[q][0]);
            scores[HeadPattern.CurrentToken] = later.Average(q => weights[q][q]);
        }
        if (tokens is not null)
        {
            var duplicate = new List<double>();
            var induction = new List<double>();
            for (int q = 0; q < queries; q++)
            {
                var earlier = Enumerable.Range(0, q).Where(j => tokens[j] == tokens[q]).ToList();
                if (earlier.Count > 0) duplicate.Add(earlier.Sum(j => weights[q][j]));
                // The token after an earlier occurrence, when that is not the query itself.
                var next = earlier.Select(j => j + 1).Where(k => k < q).Distinct().ToList();
                if (next.Count > 0) induction.Add(next.Sum(k => weights[q][k]));
            }
            if (duplicate.Count > 0) scores[HeadPattern.DuplicateToken] = duplicate.Average();
            if (induction.Count > 0) scores[HeadPattern.Induction] = induction.Average();
        }
        return new HeadProfile(distance, entropy, scores);
    }

    /// <summary>Lower-case words for a pattern, as the summaries print it.</summary>
    public static string Describe(HeadPattern pattern) => pattern switch
    {
        HeadPattern.PreviousToken => "previous token",
        HeadPattern.FirstToken => "first token",
        HeadPattern.CurrentToken => "current token",
        HeadPattern.DuplicateToken => "duplicate token (copy)",
        _ => "induction",
    };
}
