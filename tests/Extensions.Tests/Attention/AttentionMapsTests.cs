using System.Text.Json.Nodes;
using ArchNotebooks.Extensions.Attention;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Layers;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Tests.Attention;

public class AttentionMapsTests
{
    [Fact]
    public void Rollout_is_the_product_of_identity_plus_head_mean_renormalised()
    {
        // Layer 1: two heads averaging to [[0.5, 0.5], [0.5, 0.5]]; (I + A) renormalised = [[0.75, 0.25], [0.25, 0.75]].
        // Layer 2: one uniform head gives the same matrix; rollout = M·M = [[0.625, 0.375], [0.375, 0.625]].
        double[][][][] w =
        [
            [[[1, 0], [0, 1]], [[0, 1], [1, 0]]],
            [[[0.5, 0.5], [0.5, 0.5]]],
        ];
        var rollout = AttentionRollout.Compute(w);
        Assert.Equal(0.625, rollout[0][0], 12);
        Assert.Equal(0.375, rollout[0][1], 12);
        Assert.Equal(0.375, rollout[1][0], 12);
        Assert.All(rollout, row => Assert.Equal(1.0, row.Sum(), 12));
    }

    [Fact]
    public void Maps_come_from_the_weights_multi_head_attention_offers()
    {
        manual_seed(0);
        using var attn = new MultiHeadAttention(16, 4);
        using var x = randn(2, 5, 16);
        var (output, weights) = attn.AttendWithWeights(x);
        using (output) using (weights)
        {
            var maps = AttentionMaps.FromTensors([weights, weights], ["the", "cat", "sat", "on", "the"], batch: 1);
            Assert.Equal((2, 4, 5), (maps.Layers, maps.Heads, maps.Tokens.Count));
            using var expected = weights.select(0, 1).select(0, 2);
            Assert.Equal(expected.to(ScalarType.Float64).data<double>()[7], maps.Weights[1][2][1][2], 6);
            Assert.All(maps.Weights[0][0], row => Assert.Equal(1.0, row.Sum(), 5));
            Assert.NotNull(maps.Rollout);
        }
    }

    [Fact]
    public void The_html_holds_a_head_selector_and_a_layers_by_heads_grid_with_token_labels()
    {
        var tokens = new[] { "a", "b", "c" };
        double[][] Head(int seed) => Enumerable.Range(0, 3).Select(q => Enumerable.Range(0, 3).Select(k => k <= q ? 1.0 / (q + 1) + seed * 0 : 0).ToArray()).ToArray();
        var maps = new AttentionMaps(tokens, [[Head(0), Head(1)], [Head(2), Head(3)]]);
        var selector = AttentionFormatter.SelectorFigure(maps).ToJson();
        var traces = selector["data"]!.AsArray();
        Assert.Equal(2 * 2 + 2 + 1, traces.Count);  // every head, each layer's mean, the rollout
        Assert.Single(traces, t => t!["visible"] is null);  // only one map shown at a time: the rollout
        var buttons = selector["layout"]!["updatemenus"]![0]!["buttons"]!.AsArray();
        Assert.Equal("layer 1, head 0", (string?)buttons[3]!["label"]);
        var visible = buttons[3]!["args"]![0]!["visible"]!.AsArray().Select(v => (bool)v!).ToList();
        Assert.Equal(3, visible.IndexOf(true));
        Assert.Equal(tokens, selector["layout"]!["xaxis"]!["ticktext"]!.AsArray().Select(v => (string)v!));
        Assert.Contains("query 2 'c' → key 0 'a'<br>weight 0.3333", (string)traces[0]!["text"]![2]![0]!);

        var grid = AttentionFormatter.GridFigure(maps).ToJson();
        Assert.Equal(4, grid["data"]!.AsArray().Count);
        Assert.Equal("x4", (string?)grid["data"]![3]!["xaxis"]);
        Assert.NotNull(grid["layout"]!["yaxis4"]!["domain"]);

        var bundle = new MimeBundle();
        maps.Render(bundle);
        var html = (string)bundle[MimeBundle.Html];
        Assert.Equal(2, html.Split("class=\"archnb-figure\"").Length - 1);
        Assert.Contains("Attention: 2 layers × 2 heads over 3 tokens", html);
        // Per head: mean |query − key| (0, 0.5, 1 over the three queries), the mean entropy (0 + ln 2 + ln 3) / 3, and no pattern:
        // uniform causal attention puts a third on each of the previous, first and current token of the last query.
        Assert.Contains("layer 0 head 0: mean distance 0.50, entropy 0.60 nats, no known pattern (closest:", (string)bundle[MimeBundle.PlainText]);
    }

    [Fact]
    public void Mismatched_tokens_are_reported()
    {
        var e = Assert.Throws<ArgumentException>(() => new AttentionMaps(["a"], [[[[0.5, 0.5], [0.5, 0.5]]]]));
        Assert.Contains("2x2 but there are 1 query", e.Message);
    }
}
