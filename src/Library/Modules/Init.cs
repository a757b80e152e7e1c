using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Interop;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Modules;

/// <summary>Parameter initialisers (torch.nn.init), in place and under no_grad; the random ones follow torch.manual_seed.</summary>
public static class init
{
    static readonly Op uniformOp = new("uniform_"), normalOp = new("normal_"), fillOp = new("fill_", "Scalar");

    public static Tensor uniform_(Tensor t, double low = 0, double high = 1)
    {
        using var _ = no_grad();
        uniformOp.CallVoid(t, low, high);
        return t;
    }

    public static Tensor normal_(Tensor t, double mean = 0, double std = 1)
    {
        using var _ = no_grad();
        normalOp.CallVoid(t, mean, std);
        return t;
    }

    public static Tensor constant_(Tensor t, double value)
    {
        using var _ = no_grad();
        fillOp.CallVoid(t, value);
        return t;
    }

    public static Tensor zeros_(Tensor t) => constant_(t, 0);
    public static Tensor ones_(Tensor t) => constant_(t, 1);

    /// <summary>(fan_in, fan_out) as PyTorch computes them: dims 1 and 0 times the receptive field.</summary>
    public static (long fanIn, long fanOut) fans(Tensor t)
    {
        var s = t.shape;
        if (s.Length < 2) throw new ArgumentException($"fan in and fan out need at least 2 dimensions, got [{string.Join(", ", s)}]");
        long receptive = 1;
        for (int i = 2; i < s.Length; i++) receptive *= s[i];
        return (s[1] * receptive, s[0] * receptive);
    }

    /// <summary>PyTorch's default for Linear and Conv weights: kaiming_uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    public static Tensor kaiming_uniform_(Tensor t, double a = 0)
    {
        var (fanIn, _) = fans(t);
        double gain = Math.Sqrt(2.0 / (1 + a * a));
        double bound = gain * Math.Sqrt(3.0 / fanIn);
        return uniform_(t, -bound, bound);
    }

    public static Tensor kaiming_normal_(Tensor t, double a = 0)
    {
        var (fanIn, _) = fans(t);
        return normal_(t, 0, Math.Sqrt(2.0 / (1 + a * a)) / Math.Sqrt(fanIn));
    }

    public static Tensor xavier_uniform_(Tensor t, double gain = 1)
    {
        var (fanIn, fanOut) = fans(t);
        double bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return uniform_(t, -bound, bound);
    }

    public static Tensor xavier_normal_(Tensor t, double gain = 1)
    {
        var (fanIn, fanOut) = fans(t);
        return normal_(t, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)));
    }
}
