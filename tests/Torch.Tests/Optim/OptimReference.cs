using System.Diagnostics;
using ArchNotebooks.Torch.Serialization;
using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Optimizers;

/// <summary>
/// Runs reference/optim.py once per test process. C# draws the initial parameters and every step's
/// gradients and writes them as safetensors; PyTorch reads them by hand, runs torch.optim on them and
/// writes the trajectories back, so both sides start from bit-identical data.
/// </summary>
internal sealed class OptimReference
{
    static readonly Lazy<OptimReference> instance = new(() => new OptimReference());
    internal static OptimReference Instance => instance.Value;

    internal const int Steps = 20;
    internal static readonly long[][] Shapes = { new long[] { 4, 3 }, new long[] { 5 }, new long[] { 2, 2, 2 }, new long[] { 3 } };
    internal static readonly ScalarType[] DTypes = { float32, float32, float32, float64 };
    /// <summary>(step, parameter) pairs with no gradient: those parameters skip the step, and their step counts fall behind.</summary>
    internal static readonly (int step, int param)[] Missing = { (3, 2), (7, 2), (7, 3), (12, 0) };

    internal IReadOnlyDictionary<string, Tensor> Inputs { get; }
    internal IReadOnlyDictionary<string, Tensor> Expected { get; }

    OptimReference()
    {
        using var scope = NewDisposeScope();
        manual_seed(1234);
        var inputs = new Dictionary<string, Tensor>();
        for (int k = 0; k < Shapes.Length; k++) inputs[$"param.{k}"] = randn(Shapes[k], DTypes[k]);
        for (int s = 0; s < Steps; s++)
            for (int k = 0; k < Shapes.Length; k++)
                if (!Missing.Contains((s, k))) inputs[$"grad.{s}.{k}"] = randn(Shapes[k], DTypes[k]);
        var dir = Directory.CreateTempSubdirectory("archnb-optim-");
        try
        {
            var inPath = Path.Combine(dir.FullName, "inputs.safetensors");
            var outPath = Path.Combine(dir.FullName, "expected.safetensors");
            Safetensors.Save(inputs, inPath);
            Reference.Run("optim.py", inPath, outPath);
            Expected = Keep(Safetensors.Load(outPath));
            Inputs = Keep(inputs);
        }
        finally { dir.Delete(recursive: true); }
    }

    static Dictionary<string, Tensor> Keep(Dictionary<string, Tensor> d)
    {
        foreach (var t in d.Values) t.DetachFromDisposeScope();
        return d;
    }

    /// <summary>Fresh leaf copies of the initial parameters.</summary>
    internal Tensor[] FreshParameters() =>
        Enumerable.Range(0, Shapes.Length).Select(k => Inputs[$"param.{k}"].clone().requires_grad_()).ToArray();

    /// <summary>Sets each parameter's gradient as the reference did at step <paramref name="s"/> (or none).</summary>
    internal void SetGradients(Tensor[] ps, int s)
    {
        for (int k = 0; k < ps.Length; k++)
            ps[k].grad = Inputs.TryGetValue($"grad.{s}.{k}", out var g) ? g.clone() : null;
    }

    /// <summary>Largest |expected - actual| (in float64).</summary>
    internal static double MaxAbsDiff(Tensor expected, Tensor actual)
    {
        using var scope = NewDisposeScope();
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.dtype, actual.dtype);
        return expected.to(float64).sub(actual.detach().to(float64)).abs().max().ToDouble();
    }
}
