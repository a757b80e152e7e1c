using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using Xunit.Abstractions;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

/// <summary>The video example's last insights: asymmetric streams, hierarchical fusion, and the frame-wise 2-D CNN that cannot see motion.</summary>
public class VideoStreamsTests(ITestOutputHelper output)
{
    [Fact]
    public void Asymmetric_streams_give_the_temporal_stream_its_own_width_and_depth()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var symmetric = new VideoConfig(Dim: 32, Heads: 4, Layers: 1);
        var asymmetric = symmetric with { TemporalDim = 16, TemporalLayers = 2, TemporalHeads = 2 };
        using var model = (FactorizedVideoTransformer)asymmetric.Build();
        Assert.Equal(1, model.spatial.Count);
        Assert.Equal(2, model.temporal.Count);
        Assert.NotNull(model.temporal_in);
        Assert.Equal(new long[] { 16, 32 }, model.temporal_in!.weight.shape);
        var temporalAttention = ((TransformerEncoderBlock)model.temporal[1]).attn!;
        Assert.Equal(16, temporalAttention.in_proj_weight.size(1));
        var clips = randn(2, 6, 1, 12, 12);
        Assert.Equal(new long[] { 2, 4 }, model.call(clips).shape);
        // The symmetric default has no projections at all.
        using var plain = (FactorizedVideoTransformer)symmetric.Build();
        Assert.Null(plain.temporal_in);
        Assert.Equal(plain.temporal.Count, plain.spatial.Count);
        var points = AblationPoints.For(symmetric);
        Assert.Equal(new object?[] { 16L, 64L }, points.Single(p => p.Field == "TemporalDim").Alternatives);
        Assert.Equal(new object?[] { 2 }, points.Single(p => p.Field == "TemporalLayers").Alternatives);
    }

    [Fact]
    public void Hierarchical_fusion_reads_the_appearance_map_at_every_scale()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        // 12×12 frames in 3×3 patches: a 4×4 map of patches, then 2×2 regions, then the whole frame.
        using var model = (FactorizedVideoTransformer)new VideoConfig(Dim: 16, Heads: 2, Fusion: VideoFusion.Hierarchical).Build();
        Assert.Equal(2, model.coarse_fusion.Count);
        var clips = randn(3, 6, 1, 12, 12);
        Tensor y;
        using (var capture = model.capture("**.weights"))
        {
            y = model.call(clips);
            Assert.Equal(new long[] { 3, 2, 6, 16 }, capture["fusion.weights"].shape);
            Assert.Equal(new long[] { 3, 2, 6, 4 }, capture["coarse_fusion.0.weights"].shape);
            Assert.Equal(new long[] { 3, 2, 6, 1 }, capture["coarse_fusion.1.weights"].shape);
        }
        // The coarse scales are on the output's path: silencing one changes the logits.
        using (no_grad())
        {
            var coarse = (MultiHeadAttention)model.coarse_fusion[0];
            coarse.out_proj.weight.zero_();
            coarse.out_proj.bias?.zero_();
        }
        Assert.False(allclose(y, model.call(clips), atol: 1e-6));
        using var single = (FactorizedVideoTransformer)new VideoConfig(Dim: 16, Heads: 2).Build();
        Assert.Equal(0, single.coarse_fusion.Count);
    }

    [Fact]
    public void A_frame_wise_2d_cnn_learns_appearance_but_misses_motion()
    {
        // The seeds' claim, tested: every frame alone, averaged over time, carries the shape but not its
        // motion, so the moving classes (whose shape is random) are the ones it cannot tell apart from the still ones.
        var task = new MovingShapesVideoTask(frames: 6, size: 12);
        var frameCnn = LearningProbe.Train(new VideoConfig(Dim: 32, Architecture: VideoArchitecture.FrameCnn2d), task, steps: 300);
        double still = (frameCnn.PerClass[MovingShapesVideoTask.StillSquare] + frameCnn.PerClass[MovingShapesVideoTask.StillPlus]) / 2;
        double moving = (frameCnn.PerClass[MovingShapesVideoTask.MovingHorizontally] + frameCnn.PerClass[MovingShapesVideoTask.MovingVertically]) / 2;
        output.WriteLine($"frame-wise 2-D CNN: {frameCnn}; still {still:P1}, moving {moving:P1}");
        Assert.True(still >= 0.8, $"still classes {still:P1}: the baseline did not learn appearance, so it proves nothing about motion; {frameCnn}");
        Assert.True(frameCnn.Accuracy <= 0.75, $"a model that never compares frames scored {frameCnn}");
        Assert.True(moving <= 0.7, $"moving classes {moving:P1}: {frameCnn}");
    }
}
