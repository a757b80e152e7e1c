using ArchNotebooks.Extensions.Attention;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Interpretability;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Tests.Attention;

/// <summary>Attention maps of every family that attends: each site labelled with its kind and the right query and key positions.</summary>
public class AttentionFamilyTests
{
    static List<string> Labels(int n, string prefix = "") => Enumerable.Range(0, n).Select(i => $"{prefix}{i}").ToList();

    static void AssertSite(AttentionMaps maps, string name, string kind, int queries, int keys, int heads)
    {
        var site = maps.Sites.SingleOrDefault(x => x.Name == name) ?? throw new Xunit.Sdk.XunitException($"no site {name}; sites: {string.Join(", ", maps.Sites.Select(x => x.Name))}");
        Assert.Equal(kind, site.Kind);
        Assert.Equal((queries, keys, heads), (site.Queries.Count, site.Keys.Count, site.Weights.Length));
        Assert.All(site.Weights, head => Assert.All(head, row => { Assert.Equal(keys, row.Length); Assert.Equal(1.0, row.Sum(), 4); }));
    }

    [Fact]
    public void Factorized_video_has_spatial_temporal_and_fusion_maps_over_patches_and_frames()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new VideoConfig(Frames: 4, FrameSize: 6, Patch: 2, Dim: 16, Heads: 2).Build();
        var maps = AttentionSites.Of(model, randn(2, 4, 1, 6, 6), Labels(4, "#"));
        AssertSite(maps, "spatial.0.attn", "spatial", 9, 9, 2);
        AssertSite(maps, "temporal.0.attn", "temporal", 4, 4, 2);
        AssertSite(maps, "fusion", "fusion", 4, 9, 2);
        var spatial = maps.Sites.Single(x => x.Kind == "spatial");
        Assert.Equal(["0,0", "0,1", "0,2", "1,0"], spatial.Queries.Take(4));
        Assert.Equal("mean over the 4 frames", spatial.Note);
        Assert.Equal(["f0", "f1", "f2", "f3"], maps.Sites.Single(x => x.Kind == "fusion").Queries);
        Assert.Null(maps.Rollout);  // the sites attend over different things; no chain to roll out
        var text = maps.ToString();
        Assert.Contains("temporal: temporal.0.attn: 4 queries x 4 keys (mean over the 9 patch positions)", text);
        Assert.Contains("fusion: fusion: 4 queries x 9 keys", text);
    }

    [Fact]
    public void Divided_space_time_has_a_temporal_and_a_spatial_map_per_block()
    {
        using var scope = NewDisposeScope();
        using var model = new VideoConfig(Frames: 3, FrameSize: 4, Patch: 2, Dim: 8, Heads: 2, Layers: 2, Architecture: VideoArchitecture.DividedSpaceTime).Build();
        var maps = AttentionSites.Of(model, randn(1, 3, 1, 4, 4), Labels(3));
        Assert.Equal(["time0.attn", "space0.attn", "time1.attn", "space1.attn"], maps.LayerNames);
        AssertSite(maps, "time1.attn", "temporal", 3, 3, 2);
        AssertSite(maps, "space1.attn", "spatial", 4, 4, 2);
    }

    [Fact]
    public void Set_transformer_shows_inducing_points_isab_and_pooling()
    {
        using var scope = NewDisposeScope();
        using var isab = new SetTransformerConfig(InputDim: 3, Classes: 2, Dim: 8, Heads: 2, Blocks: 1, InducingPoints: 4).Build();
        var elements = Labels(7, "x");
        var maps = AttentionSites.Of(isab, randn(1, 7, 3), elements);
        Assert.Equal(["encoder.0.induce.attn", "encoder.0.mab.attn", "pma.attn"], maps.LayerNames);
        AssertSite(maps, "encoder.0.induce.attn", "ISAB induce", 4, 7, 2);
        AssertSite(maps, "encoder.0.mab.attn", "ISAB", 7, 4, 2);
        AssertSite(maps, "pma.attn", "PMA", 1, 7, 2);
        Assert.Equal(elements, maps.Sites[0].Keys);
        Assert.Equal(["i0", "i1", "i2", "i3"], maps.Sites[1].Keys);

        using var sab = new SetTransformerConfig(InputDim: 3, Classes: 2, Dim: 8, Heads: 2, Blocks: 2).Build();
        var full = AttentionSites.Of(sab, randn(1, 5, 3), Labels(5, "x"));
        AssertSite(full, "encoder.1.mab.attn", "SAB", 5, 5, 2);
    }

    [Fact]
    public void Hourglass_shows_each_scale_with_merged_token_labels()
    {
        using var scope = NewDisposeScope();
        using var model = new HourglassConfig(Vocab: 8, Classes: 8, MaxLen: 16, Dim: 8, Heads: 2, Stages: 2, Factor: 2).Build();
        string[] tokens = ["a", "b", "c", "d", "e", "f", "g"];
        var maps = AttentionSites.Of(model, tensor(new long[] { 0, 1, 2, 3, 4, 5, 6 }, [1, 7]), tokens);
        Assert.Equal(["down.0.attn", "down.1.attn", "bottom.attn", "up.1.attn", "up.0.attn"], maps.LayerNames);
        AssertSite(maps, "down.0.attn", "scale 0 (full length)", 7, 7, 2);
        AssertSite(maps, "down.1.attn", "scale 1 (1/2 length)", 4, 4, 2);
        AssertSite(maps, "bottom.attn", "scale 2 (1/4 length)", 2, 2, 2);
        AssertSite(maps, "up.0.attn", "scale 0 (full length)", 7, 7, 2);
        Assert.Equal(["a·b", "c·d", "e·f", "g"], maps.Sites[1].Queries);
        Assert.Equal(["a·b·c·d", "e·f·g"], maps.Sites[2].Queries);
    }

    [Fact]
    public void Encoder_decoder_shows_encoder_self_decoder_self_and_cross_attention()
    {
        using var scope = NewDisposeScope();
        using var model = new EncoderDecoderConfig(Vocab: 6, Classes: 6, MaxLen: 8, Dim: 8, Heads: 2).Build();
        var tokens = new[] { "3", "1", "4", "1", "5" };
        var maps = AttentionSites.Of(model, tensor(new long[] { 3, 1, 4, 1, 5 }, [1, 5]), tokens);
        AssertSite(maps, "encoder.0.attn", "encoder self", 5, 5, 2);
        AssertSite(maps, "decoder0.self_attn", "decoder self", 5, 5, 2);
        AssertSite(maps, "decoder0.cross_attn", "cross", 5, 5, 2);
        var cross = maps.Sites.Single(x => x.Kind == "cross");
        Assert.Equal(tokens, cross.Keys);
        Assert.Equal(["out0", "out1", "out2", "out3", "out4"], cross.Queries);
        // Decoder self-attention is causal: no weight above the diagonal.
        Assert.All(maps.Sites.Single(x => x.Kind == "decoder self").Weights, h => Assert.Equal(0.0, h[0][4], 12));
    }

    /// <summary>A user's own attention: softmax of scaled dot products of the input with itself, named with Intermediate.</summary>
    sealed class DotAttention : Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var w = Intermediate("weights", (x.matmul(x.transpose(1, 2)) / 2).softmax(-1).unsqueeze(1));
            return w.squeeze(1).matmul(x).MoveToOuterDisposeScope();
        }
    }

    [Fact]
    public void A_user_module_that_names_its_weights_is_shown_over_the_input_tokens()
    {
        using var scope = NewDisposeScope();
        using var model = new DotAttention();
        var maps = AttentionSites.Of(model, randn(1, 3, 4), ["the", "cat", "sat"]);
        var site = Assert.Single(maps.Sites);
        Assert.Equal(("(model)", "self"), (site.Name, site.Kind));
        Assert.Equal(["the", "cat", "sat"], site.Keys);
        Assert.NotNull(maps.Rollout);
    }

    /// <summary>
    /// Two attention layers of two heads with weights set by hand (Olsson et al.'s two-layer induction
    /// circuit). The residual stream holds [token one-hot | position one-hot | previous-token one-hot]. In
    /// layer 0, head 0 matches each query's position to the key one place back and copies that key's token into
    /// the previous-token slot; in layer 1, head 0 matches the query's token with each key's previous token,
    /// so it attends to the token after an earlier occurrence of the current one. Head 1 of each layer has zero
    /// queries and keys: uniform attention, matching nothing.
    /// </summary>
    sealed class PlantedInduction : Module<Tensor, Tensor>
    {
        public const int Vocab = 6, Positions = 10, Dim = Vocab + Positions + Vocab, HeadDim = Dim / 2;
        public readonly MultiHeadAttention layer0, layer1;
        const float Sharp = 10;

        public PlantedInduction()
        {
            layer0 = register_module("layer0", new MultiHeadAttention(Dim, 2, causal: true, bias: false));
            layer1 = register_module("layer1", new MultiHeadAttention(Dim, 2, causal: true, bias: false));
            var w0 = new float[3 * Dim, Dim];
            var w1 = new float[3 * Dim, Dim];
            var out0 = new float[Dim, Dim];
            for (int p = 0; p < Positions; p++)
            {
                w0[p, Vocab + p] = Sharp;                                   // query: my position
                if (p + 1 < Positions) w0[Dim + p + 1, Vocab + p] = Sharp;  // key: the position after mine
            }
            for (int t = 0; t < Vocab; t++)
            {
                w0[2 * Dim + t, t] = 1;                                     // value: my token
                out0[Vocab + Positions + t, t] = 1;                         // head 0's value lands in the previous-token slot
                w1[t, t] = Sharp;                                           // query: my token
                w1[Dim + t, Vocab + Positions + t] = Sharp;                 // key: the token before me
            }
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            layer0.in_proj_weight.copy_(tensor(w0));
            layer1.in_proj_weight.copy_(tensor(w1));
            layer0.out_proj.weight.copy_(tensor(out0));
            layer1.out_proj.weight.zero_();
        }

        public override Tensor forward(Tensor tokens)
        {
            using var scope = NewDisposeScope();
            long n = tokens.size(1);
            var positions = arange(n, ScalarType.Int64).unsqueeze(0).expand(tokens.size(0), n);
            var x = cat(new[] { one_hot(tokens, Vocab), one_hot(positions, Positions), zeros(new[] { tokens.size(0), n, Vocab }, ScalarType.Int64) }, -1).to(ScalarType.Float32);
            var h = x + layer0.call(x);
            return (h + layer1.call(h)).MoveToOuterDisposeScope();
        }
    }

    [Fact]
    public void The_pattern_classifier_finds_a_planted_previous_token_head_and_induction_head()
    {
        using var scope = NewDisposeScope();
        using var model = new PlantedInduction();
        // A start token that never recurs, then a random sequence repeated: the second copy is predictable by induction.
        long[] ids = [5, 2, 0, 3, 1, 4, 2, 0, 3, 1];
        var maps = AttentionSites.Of(model, tensor(ids, [1, ids.Length]), ids.Select(i => i.ToString()).ToList());
        var layer0 = maps.Sites[0].Profiles();
        var layer1 = maps.Sites[1].Profiles();
        Assert.Equal(HeadPattern.PreviousToken, layer0[0].Match);
        Assert.True(layer0[0].Scores[HeadPattern.PreviousToken] > 0.95, $"previous-token score {layer0[0].Scores[HeadPattern.PreviousToken]}");
        Assert.Equal(0.9, layer0[0].MeanDistance, 2);  // query 0 can only attend to itself
        Assert.Equal(HeadPattern.Induction, layer1[0].Match);
        Assert.True(layer1[0].Scores[HeadPattern.Induction] > 0.95, $"induction score {layer1[0].Scores[HeadPattern.Induction]}");
        Assert.Null(layer0[1].Match);
        Assert.Null(layer1[1].Match);
        var text = maps.ToString();
        Assert.Contains("layer0: 10 queries x 10 keys", text);
        Assert.Matches(@"head 0: mean distance 0\.90, entropy 0\.0\d nats, previous token head \((0\.9\d|1\.00)\)", text);
        Assert.Matches(@"head 0: mean distance \d\.\d\d, entropy \d\.\d\d nats, induction head \((0\.9\d|1\.00)\)", text);
        Assert.Contains("no known pattern (closest:", text);

        var bundle = new MimeBundle();
        maps.Render(bundle);
        Assert.Contains("<td>induction</td>", (string)bundle[MimeBundle.Html]);
    }
}
