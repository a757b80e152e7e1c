using ArchNotebooks.Library.Interpretability;

namespace Library.Tests.Interpretability;

public class HeadPatternTests
{
    static double[][] Map(int n, Func<int, int, double> w) => Enumerable.Range(0, n).Select(q => Enumerable.Range(0, n).Select(k => w(q, k)).ToArray()).ToArray();

    [Fact]
    public void A_previous_token_map_scores_one_with_distance_and_entropy_worked_out_by_hand()
    {
        // Query 0 can only see itself; every later query looks one back: distance (0 + 1·5) / 6, entropy 0.
        var p = HeadPatterns.Profile(Map(6, (q, k) => k == Math.Max(q - 1, 0) ? 1 : 0));
        Assert.Equal(5 / 6.0, p.MeanDistance, 12);
        Assert.Equal(0.0, p.Entropy, 12);
        Assert.Equal(1.0, p.Scores[HeadPattern.PreviousToken], 12);
        Assert.Equal(HeadPattern.PreviousToken, p.Match);
    }

    [Fact]
    public void Uniform_causal_attention_matches_nothing_and_has_the_entropy_of_a_uniform_choice()
    {
        int n = 8;
        var p = HeadPatterns.Profile(Map(n, (q, k) => k <= q ? 1.0 / (q + 1) : 0), Enumerable.Range(0, n).Select(i => $"{i % 3}").ToList());
        Assert.Equal(Enumerable.Range(1, n).Average(m => Math.Log(m)), p.Entropy, 12);
        Assert.Null(p.Match);
        Assert.True(p.Best!.Value.score < HeadProfile.MatchThreshold);
    }

    [Fact]
    public void First_token_and_duplicate_token_heads_are_told_apart()
    {
        Assert.Equal(HeadPattern.FirstToken, HeadPatterns.Profile(Map(5, (q, k) => k == 0 ? 1 : 0)).Match);
        // Tokens a b a b a: each repeat attends to the earlier copy just before it.
        string[] tokens = ["a", "b", "a", "b", "a"];
        var copy = HeadPatterns.Profile(Map(5, (q, k) => q >= 2 ? (k == q - 2 ? 1 : 0) : (k == 0 ? 1 : 0)), tokens);
        Assert.Equal(1.0, copy.Scores[HeadPattern.DuplicateToken], 12);
        Assert.Equal(HeadPattern.DuplicateToken, copy.Match);
    }

    [Fact]
    public void Cross_attention_gets_entropy_only_and_mismatched_tokens_are_refused()
    {
        var cross = HeadPatterns.Profile([[0.5, 0.5, 0], [0, 0, 1]]);
        Assert.True(double.IsNaN(cross.MeanDistance));
        Assert.Equal(Math.Log(2) / 2, cross.Entropy, 12);
        Assert.Null(cross.Best);
        var e = Assert.Throws<ArgumentException>(() => HeadPatterns.Profile(Map(3, (_, _) => 1 / 3.0), ["a"]));
        Assert.Contains("tokens name 1 positions but the map is 3x3", e.Message);
    }
}
