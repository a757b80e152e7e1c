using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>The spatiotemporal architecture under test and its two comparison points.</summary>
public enum VideoArchitecture
{
    /// <summary>Separate spatial and temporal encoders over patch tokens, fused by cross-attention; temporal attention is sparse (TemporalPattern).</summary>
    FactorizedCrossAttention,
    /// <summary>TimeSformer's divided space-time attention (Bertasius et al. 2021): per block, attention over time at each patch, then over patches in each frame.</summary>
    DividedSpaceTime,
    /// <summary>A 3D-convolution baseline (C3D-like).</summary>
    Conv3d,
    /// <summary>A frame-wise 2-D CNN: the same small convolutions on every frame, pooled, then averaged over time; it never compares frames.</summary>
    FrameCnn2d,
}

/// <summary>How the factorized model combines its two streams.</summary>
public enum VideoFusion
{
    /// <summary>Motion tokens read the per-patch appearance tokens through one cross-attention.</summary>
    CrossAttention,
    Concat,
    SpatialOnly,
    TemporalOnly,
    /// <summary>Multi-scale: motion tokens read the appearance map at every scale of a 2×2-pooling pyramid (patches, then coarser regions, then the whole frame), one cross-attention per scale, summed.</summary>
    Hierarchical,
}

/// <summary>
/// Video classifiers over (N, T, C, H, W) clips. Each frame is cut into Patch×Patch patches embedded
/// as tokens (N, T, S, D) with learned space and time positions; the architecture decides how they
/// interact. Ablations: the architecture itself, the fusion, and the temporal sparsity.
/// </summary>
public sealed record VideoConfig(
    long Frames = 6,
    long InChannels = 1,
    long FrameSize = 12,
    long Classes = 4,
    long Patch = 3,
    long Dim = 32,
    int Heads = 4,
    int Layers = 1,
    [property: Ablation("the spatiotemporal architecture")] VideoArchitecture Architecture = VideoArchitecture.FactorizedCrossAttention,
    [property: Ablation("how the spatial and temporal streams are fused")] VideoFusion Fusion = VideoFusion.CrossAttention,
    [property: Ablation("sparsity of temporal attention (uses TemporalWindow)", AttentionPattern.Dense, AttentionPattern.Local, AttentionPattern.Strided)]
    AttentionPattern TemporalPattern = AttentionPattern.Local,
    long TemporalWindow = 2,
    [property: Ablation("width of the temporal stream (0: the spatial Dim); asymmetric streams", 16L, 64L)] long TemporalDim = 0,
    [property: Ablation("depth of the temporal stream (0: the spatial Layers)", 2)] int TemporalLayers = 0,
    int TemporalHeads = 0) : IModelConfig
{
    public Module<Tensor, Tensor> Build() => Architecture switch
    {
        VideoArchitecture.FactorizedCrossAttention => new FactorizedVideoTransformer(this),
        VideoArchitecture.DividedSpaceTime => new DividedSpaceTimeTransformer(this),
        VideoArchitecture.FrameCnn2d => new FrameCnnVideoNet(this),
        _ => new Conv3dVideoNet(this),
    };

    public IModelConfig For(ISyntheticTask task)
    {
        var s = TaskShape.Require(task, 4, "the video family", "clips (frames, channels, height, width)");
        return this with { Frames = s[0], InChannels = s[1], FrameSize = s[^1], Classes = task.NumClasses };
    }

    internal long PatchesPerFrame => (FrameSize / Patch) * (FrameSize / Patch);
    // Positions are learned parameters of the patch embedding, so none act inside attention.
    internal TransformerConfig Spatial => new(Dim: Dim, Heads: Heads, FfnHidden: 2 * Dim, Position: PositionKind.None, MaxLen: PatchesPerFrame);
    internal TransformerConfig Temporal => new(Dim: TemporalWidth, Heads: TemporalHeads > 0 ? TemporalHeads : Heads, FfnHidden: 2 * TemporalWidth,
        Position: PositionKind.None, Pattern: TemporalPattern, Window: TemporalWindow, MaxLen: Frames);
    // Derived, so internal (public properties would become run-log columns): the temporal stream's own width and depth.
    internal long TemporalWidth => TemporalDim > 0 ? TemporalDim : Dim;
    internal int TemporalDepth => TemporalLayers > 0 ? TemporalLayers : Layers;
}

/// <summary>(N, T, C, H, W) → patch tokens (N, T, S, D) with learned spatial and temporal positions added.</summary>
public sealed class PatchEmbedding : Module<Tensor, Tensor>
{
    public readonly Conv2d proj;
    public readonly Tensor space, time;

    public PatchEmbedding(VideoConfig c)
    {
        proj = register_module("proj", new Conv2d(c.InChannels, c.Dim, c.Patch, stride: c.Patch));
        space = register_parameter("space", init.normal_(empty(1, 1, c.PatchesPerFrame, c.Dim), 0, 0.02));
        time = register_parameter("time", init.normal_(empty(1, c.Frames, 1, c.Dim), 0, 0.02));
    }

    public override Tensor forward(Tensor video)
    {
        using var scope = NewDisposeScope();
        long n = video.size(0), t = video.size(1);
        var patches = proj.call(video.flatten(0, 1)).flatten(2).transpose(1, 2);  // (N·T, S, D)
        var tokens = patches.reshape(n, t, patches.size(1), patches.size(2));
        return (tokens + space + time).MoveToOuterDisposeScope();
    }
}

/// <summary>Per-frame spatial attention and per-patch sparse temporal attention as separate streams, fused by cross-attention.</summary>
public sealed class FactorizedVideoTransformer : Module<Tensor, Tensor>
{
    public readonly VideoConfig Config;
    public readonly PatchEmbedding embed;
    public readonly Sequential spatial, temporal;
    public readonly MultiHeadAttention fusion;
    /// <summary>Hierarchical fusion's cross-attentions to the coarser appearance maps (2×2-pooled, then again, down to one region); empty otherwise.</summary>
    public readonly Sequential coarse_fusion;
    /// <summary>Into and out of the temporal stream's own width, when it differs from Dim (asymmetric streams); null otherwise.</summary>
    public readonly Linear? temporal_in, temporal_out;
    public readonly LayerNorm norm_q, norm_kv, norm_out;
    public readonly Linear head;

    public FactorizedVideoTransformer(VideoConfig c)
    {
        Config = c;
        embed = register_module("embed", new PatchEmbedding(c));
        spatial = register_module("spatial", new Sequential());
        temporal = register_module("temporal", new Sequential());
        for (int i = 0; i < c.Layers; i++) spatial.Append(new TransformerEncoderBlock(c.Spatial));
        for (int i = 0; i < c.TemporalDepth; i++) temporal.Append(new TransformerEncoderBlock(c.Temporal));
        if (c.TemporalWidth != c.Dim)
        {
            temporal_in = register_module("temporal_in", new Linear(c.Dim, c.TemporalWidth));
            temporal_out = register_module("temporal_out", new Linear(c.TemporalWidth, c.Dim));
        }
        norm_q = register_module("norm_q", new LayerNorm(c.Dim));
        norm_kv = register_module("norm_kv", new LayerNorm(c.Dim));
        fusion = register_module("fusion", new MultiHeadAttention(c.Dim, c.Heads));
        coarse_fusion = register_module("coarse_fusion", new Sequential());
        if (c.Fusion == VideoFusion.Hierarchical)
            for (long side = c.FrameSize / c.Patch; side > 1; side /= 2) coarse_fusion.Append(new MultiHeadAttention(c.Dim, c.Heads));
        norm_out = register_module("norm_out", new LayerNorm(c.Dim));
        head = register_module("head", new Linear(c.Fusion == VideoFusion.Concat ? 2 * c.Dim : c.Dim, c.Classes));
    }

    public override Tensor forward(Tensor video)
    {
        using var scope = NewDisposeScope();
        var tokens = embed.call(video);                                       // (N, T, S, D)
        long n = tokens.size(0), t = tokens.size(1), s = tokens.size(2), d = tokens.size(3);
        // Appearance: attention among the patches of each frame, then averaged over time → (N, S, D).
        var appearance = spatial.call(tokens.reshape(n * t, s, d)).reshape(n, t, s, d).mean(1);
        // Motion: attention over time at each patch position (in the temporal stream's own width), then averaged over patches → (N, T, D).
        var perPatch = tokens.transpose(1, 2).reshape(n * s, t, d);
        if (temporal_in is not null) perPatch = temporal_in.call(perPatch);
        var motion = temporal.call(perPatch);
        if (temporal_out is not null) motion = temporal_out.call(motion);
        motion = motion.reshape(n, s, t, d).mean(1);
        var pooled = Config.Fusion switch
        {
            VideoFusion.CrossAttention => (motion + fusion.call(norm_q.call(motion), norm_kv.call(appearance))).mean(1),
            VideoFusion.Hierarchical => HierarchicalFusion(motion, appearance).mean(1),
            VideoFusion.Concat => cat(new[] { motion.mean(1), appearance.mean(1) }, -1),
            VideoFusion.SpatialOnly => appearance.mean(1),
            _ => motion.mean(1),
        };
        return head.call(Config.Fusion == VideoFusion.Concat ? pooled : norm_out.call(pooled)).MoveToOuterDisposeScope();
    }

    // motion + Σ over scales of cross-attention from the motion tokens to the appearance map at that scale:
    // the patches themselves, then 2×2 averages of them, and so on down to a single region.
    Tensor HierarchicalFusion(Tensor motion, Tensor appearance)
    {
        long n = appearance.size(0), d = appearance.size(2), side = Config.FrameSize / Config.Patch;
        var query = norm_q.call(motion);
        var fused = motion + fusion.call(query, norm_kv.call(appearance));
        var map = appearance.transpose(1, 2).reshape(n, d, side, side);       // (N, D, side, side)
        for (int k = 0; k < coarse_fusion.Count; k++)
        {
            map = nn.functional.avg_pool2d(map, 2, 2);
            if (map.size(-1) == 0) break;
            var regions = map.flatten(2).transpose(1, 2);                     // (N, side'², D)
            fused = fused + ((MultiHeadAttention)coarse_fusion[k]).call(query, norm_kv.call(regions));
        }
        return fused;
    }
}

/// <summary>TimeSformer-style blocks: temporal attention at each patch, then spatial attention in each frame, then the MLP.</summary>
public sealed class DividedSpaceTimeTransformer : Module<Tensor, Tensor>
{
    public readonly PatchEmbedding embed;
    public readonly List<(TransformerEncoderBlock time, TransformerEncoderBlock space)> blocks = new();
    public readonly LayerNorm norm;
    public readonly Linear head;

    public DividedSpaceTimeTransformer(VideoConfig c)
    {
        embed = register_module("embed", new PatchEmbedding(c));
        for (int i = 0; i < c.Layers; i++)
            blocks.Add((register_module($"time{i}", new TransformerEncoderBlock(c.Temporal with { Ffn = false })),
                        register_module($"space{i}", new TransformerEncoderBlock(c.Spatial))));
        norm = register_module("norm", new LayerNorm(c.Dim));
        head = register_module("head", new Linear(c.Dim, c.Classes));
    }

    public override Tensor forward(Tensor video)
    {
        using var scope = NewDisposeScope();
        var x = embed.call(video);
        long n = x.size(0), t = x.size(1), s = x.size(2), d = x.size(3);
        foreach (var (time, space) in blocks)
        {
            x = time.call(x.transpose(1, 2).reshape(n * s, t, d)).reshape(n, s, t, d).transpose(1, 2);
            x = space.call(x.reshape(n * t, s, d)).reshape(n, t, s, d);
        }
        return head.call(norm.call(x.mean(new long[] { 1, 2 }))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The frame-wise 2-D CNN baseline: two 3×3 convolutions (the second strided) and global average pooling on
/// each frame alone, the frames' features averaged over time, a linear head. It sees every frame but never
/// compares two, so a shape's motion is invisible to it (the seeds' "2-D CNNs miss temporal structure").
/// </summary>
public sealed class FrameCnnVideoNet : Module<Tensor, Tensor>
{
    public readonly Sequential body;
    public readonly Linear head;

    public FrameCnnVideoNet(VideoConfig c)
    {
        body = register_module("body", new Sequential(
            new Conv2d(c.InChannels, c.Dim / 2, 3, padding: 1), Activation.ReLU(),
            new Conv2d(c.Dim / 2, c.Dim, 3, stride: 2, padding: 1), Activation.ReLU(),
            new GlobalPool("avg")));
        head = register_module("head", new Linear(c.Dim, c.Classes));
    }

    public override Tensor forward(Tensor video)
    {
        using var scope = NewDisposeScope();
        long n = video.size(0), t = video.size(1);
        var perFrame = body.call(video.flatten(0, 1)).reshape(n, t, -1);      // (N, T, D)
        return head.call(perFrame.mean(1)).MoveToOuterDisposeScope();
    }
}

/// <summary>Two 3x3x3 convolutions (the second strided), global average pooling, linear head.</summary>
public sealed class Conv3dVideoNet : Module<Tensor, Tensor>
{
    public readonly Sequential body;
    public readonly Linear head;

    public Conv3dVideoNet(VideoConfig c)
    {
        body = register_module("body", new Sequential(
            new Layers.Conv3d(c.InChannels, c.Dim / 2, 3, padding: 1), Activation.ReLU(),
            new Layers.Conv3d(c.Dim / 2, c.Dim, 3, stride: 2, padding: 1), Activation.ReLU(),
            new GlobalPool("avg")));
        head = register_module("head", new Linear(c.Dim, c.Classes));
    }

    public override Tensor forward(Tensor video)
    {
        using var scope = NewDisposeScope();
        return head.call(body.call(video.transpose(1, 2))).MoveToOuterDisposeScope();
    }
}
