using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Interop;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Formatting.Tensors;

/// <summary>Bin counts of a tensor's finite values between <see cref="Low"/> and <see cref="High"/>, computed by aten::histc on the tensor's device.</summary>
public sealed record TensorHistogram(double Low, double High, IReadOnlyList<double> Counts)
{
    public double BinWidth => (High - Low) / Counts.Count;
}

/// <summary>A 2-D tensor reduced on its device to at most a few thousand cells (block means when it is larger).</summary>
public sealed record TensorHeatmap(IReadOnlyList<IReadOnlyList<double>> Values, long Rows, long Columns)
{
    public bool IsBlockMeans => Values.Count != Rows || (Values.Count > 0 && Values[0].Count != Columns);
}

/// <summary>
/// What the tensor formatter shows, computed where the tensor lives: reductions, counts, the
/// histogram and the heatmap run as libtorch operators on the tensor's device, and only their small
/// results cross to the host (counted in <see cref="ElementsCopiedToHost"/>). Min, max, mean and
/// std are over the finite elements; NaN and ±Inf are counted separately.
/// </summary>
public sealed record TensorSummary(
    long[] Shape, string DType, string Device, bool RequiresGrad, string? GradFn, long Count,
    double Min, double Max, double Mean, double Std, long NaNs, long Infs,
    string Preview, TensorHistogram? Histogram, TensorHeatmap? Heatmap,
    long ElementsCopiedToHost, long PreviewElementsCopied)
{
    /// <summary>The most elements one host read may carry; a larger read is a bug, not a slow display.</summary>
    public const int HostReadLimit = 8192;

    public static TensorSummary Of(Tensor tensor, int bins = 40, int heatmapSide = 48)
    {
        using var scope = NewDisposeScope();
        var copies = new HostReads();
        var x = tensor.detach();
        var dtype = tensor.dtype;
        long n = tensor.numel();
        bool floating = dtype is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;
        bool complex = dtype is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64;
        double min = double.NaN, max = double.NaN, mean = double.NaN, std = double.NaN;
        long nans = 0, infs = 0;
        TensorHistogram? histogram = null;
        TensorHeatmap? heatmap = null;
        if (n > 0 && !complex)
        {
            // Integer and bool tensors: min/max in their own type, moments in float64 (float32 when huge).
            var v = floating ? x : x.to(n > 50_000_000 ? ScalarType.Float32 : ScalarType.Float64);
            if (floating)
            {
                var counts = copies.Read(stack([v.isnan().sum(), v.isinf().sum()]));
                (nans, infs) = ((long)counts[0], (long)counts[1]);
            }
            var finite = nans + infs == 0 ? v : v.masked_select(v.isfinite());
            if (finite.numel() > 0)
            {
                var stats = copies.Read(stack([finite.min().to(ScalarType.Float64), finite.max().to(ScalarType.Float64),
                                               finite.mean().to(ScalarType.Float64), finite.std().to(ScalarType.Float64)]));
                (min, max, mean, std) = (stats[0], stats[1], stats[2], stats[3]);
            }
            if (n > 16 && max > min && dtype != ScalarType.Bool)
            {
                var forHist = v.dtype is ScalarType.Float32 or ScalarType.Float64 ? v : v.to(ScalarType.Float32);
                // histc skips values outside [min, max]: NaN and ±Inf fall outside, so only finite values are binned.
                var hist = (Tensor)torch.ops.aten["histc"](forHist, Arg.Kw("bins", bins), Arg.Kw("min", min), Arg.Kw("max", max))!;
                histogram = new TensorHistogram(min, max, copies.Read(hist));
            }
            if (tensor.dim() == 2) heatmap = ReduceForHeatmap(v, tensor.shape, heatmapSide, copies);
        }
        var shape = tensor.shape;
        return new TensorSummary(shape, DTypeName(dtype), tensor.device.ToString(), tensor.requires_grad, tensor.grad_fn, n,
            min, max, mean, std, nans, infs, tensor.ToString(), histogram, heatmap, copies.Elements, PreviewElements(shape, n));
    }

    static TensorHeatmap ReduceForHeatmap(Tensor v, long[] shape, int side, HostReads copies)
    {
        long rows = shape[0], cols = shape[1];
        var small = v.dtype is ScalarType.Float32 or ScalarType.Float64 ? v : v.to(ScalarType.Float32);
        if (rows > side || cols > side)
        {
            long h = Math.Min(rows, side), w = Math.Min(cols, side);
            small = ((Tensor)torch.ops.aten["adaptive_avg_pool2d"](small.unsqueeze(0), new[] { h, w })!).squeeze(0);
        }
        var s = small.shape;
        var flat = copies.Read(small);
        var grid = new IReadOnlyList<double>[s[0]];
        for (int r = 0; r < s[0]; r++) grid[r] = flat.AsSpan((int)(r * s[1]), (int)s[1]).ToArray();
        return new TensorHeatmap(grid, rows, cols);
    }

    /// <summary>How many elements Tensor.ToString copies: all of a small tensor, the edge items of each dimension of a large one.</summary>
    public static long PreviewElements(long[] shape, long count)
    {
        if (count <= printoptions.threshold) return count;
        long kept = 1;
        foreach (var d in shape) kept *= Math.Min(d, 2L * printoptions.edgeitems);
        return kept;
    }

    /// <summary>The formatter's only way to the host: bounded, counted reads of small results.</summary>
    sealed class HostReads
    {
        public long Elements { get; private set; }

        public double[] Read(Tensor small)
        {
            long n = small.numel();
            if (n > HostReadLimit) throw new InvalidOperationException($"the tensor formatter tried to copy {n} elements to the host (limit {HostReadLimit})");
            Elements += n;
            return small.to(CPU, ScalarType.Float64).contiguous().data<double>();
        }
    }
}
