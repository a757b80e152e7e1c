using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>Max or average pooling over the trailing 1, 2 or 3 spatial dimensions of (N, C, ...).</summary>
public sealed class Pool : Module<Tensor, Tensor>
{
    public string Kind { get; }
    public int Dims { get; }
    public long KernelSize { get; }
    public long Stride { get; }
    public long Padding { get; }

    Pool(string kind, int dims, long kernel_size, long? stride, long padding)
    {
        Kind = kind; Dims = dims; KernelSize = kernel_size; Stride = stride ?? kernel_size; Padding = padding;
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != Dims + 2) throw new ArgumentException($"{Kind}_pool{Dims}d expects a {Dims + 2}-d input, got [{string.Join(", ", x.shape)}]");
        return (Kind, Dims) switch
        {
            ("max", 1) => F.max_pool1d(x, KernelSize, Stride, Padding),
            ("max", 2) => F.max_pool2d(x, KernelSize, Stride, Padding),
            ("max", 3) => F.max_pool3d(x, KernelSize, Stride, Padding),
            ("avg", 1) => F.avg_pool1d(x, KernelSize, Stride, Padding),
            ("avg", 2) => F.avg_pool2d(x, KernelSize, Stride, Padding),
            _ => F.avg_pool3d(x, KernelSize, Stride, Padding),
        };
    }

    protected override string ExtraRepr() => $"{Kind}, kernel={KernelSize}, stride={Stride}, padding={Padding}";

    public static Pool MaxPool1d(long kernel_size, long? stride = null, long padding = 0) => new("max", 1, kernel_size, stride, padding);
    public static Pool MaxPool2d(long kernel_size, long? stride = null, long padding = 0) => new("max", 2, kernel_size, stride, padding);
    public static Pool MaxPool3d(long kernel_size, long? stride = null, long padding = 0) => new("max", 3, kernel_size, stride, padding);
    public static Pool AvgPool1d(long kernel_size, long? stride = null, long padding = 0) => new("avg", 1, kernel_size, stride, padding);
    public static Pool AvgPool2d(long kernel_size, long? stride = null, long padding = 0) => new("avg", 2, kernel_size, stride, padding);
    public static Pool AvgPool3d(long kernel_size, long? stride = null, long padding = 0) => new("avg", 3, kernel_size, stride, padding);
}

/// <summary>Reduces every dimension from <c>StartDim</c> on to one value per channel (mean or max): (N, C, ...) → (N, C).</summary>
public sealed class GlobalPool(string kind = "avg", long start_dim = 2) : Module<Tensor, Tensor>
{
    public string Kind { get; } = kind is "avg" or "max" ? kind : throw new ArgumentException($"global pool kind must be 'avg' or 'max', got '{kind}'");
    public long StartDim { get; } = start_dim;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var flat = x.flatten(StartDim);
        var pooled = Kind == "avg" ? flat.mean(-1) : flat.amax(-1);
        return pooled.MoveToOuterDisposeScope();
    }

    protected override string ExtraRepr() => $"{Kind}, from dim {StartDim}";
}
