using Xunit.Sdk;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Support;

/// <summary>Tensor comparisons that say where and by how much two tensors differ.</summary>
internal static class TensorAssert
{
    /// <summary>Same shape and dtype; floating values within atol + rtol*|expected|, others exactly equal.</summary>
    internal static void Close(Tensor expected, Tensor actual, string what, double rtol = 1e-4, double atol = 1e-5)
    {
        if (!expected.shape.SequenceEqual(actual.shape))
            throw new XunitException($"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        if (expected.dtype != actual.dtype)
            throw new XunitException($"{what}: dtype {DTypeName(actual.dtype)}, expected {DTypeName(expected.dtype)}");
        if (IsComplex(expected.dtype))
        {
            // Real and imaginary parts side by side, each held to the same tolerance.
            using var er = expected.detach().view_as_real();
            using var ar = actual.detach().view_as_real();
            Close(er, ar, what + " (real, imaginary)", rtol, atol);
            return;
        }
        using var e = expected.detach().cpu().to(ScalarType.Float64).flatten();
        using var a = actual.detach().cpu().to(ScalarType.Float64).flatten();
        var ev = e.data<double>();
        var av = a.data<double>();
        bool exact = !IsFloatingType(expected.dtype);
        int bad = 0;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < ev.Length; i++)
        {
            double x = ev[i], y = av[i];
            if (double.IsNaN(x) && double.IsNaN(y)) continue;
            if (double.IsInfinity(x) && x == y) continue;
            double diff = Math.Abs(x - y);
            bool ok = exact ? x == y : diff <= atol + rtol * Math.Abs(x);
            if (ok) continue;
            bad++;
            if (double.IsNaN(diff) || diff > worst || worstAt < 0) { worst = diff; worstAt = i; }
        }
        if (bad > 0)
            throw new XunitException($"{what}: {bad} of {ev.Length} elements differ (rtol {rtol}, atol {atol}); worst at flat index {worstAt}: " +
                $"got {av[worstAt]:R}, expected {ev[worstAt]:R}");
    }

    static bool IsFloatingType(ScalarType t) =>
        t is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    /// <summary>The exception's message must mention every fragment (case-insensitive).</summary>
    internal static void MessageMentions(Exception e, params string[] fragments)
    {
        foreach (var f in fragments)
            if (!e.Message.Contains(f, StringComparison.OrdinalIgnoreCase))
                throw new XunitException($"{e.GetType().Name} message does not mention \"{f}\":\n{e.Message}");
    }
}
