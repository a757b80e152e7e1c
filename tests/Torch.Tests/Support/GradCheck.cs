using Xunit.Sdk;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Support;

/// <summary>
/// Finite-difference gradient check in float64: autograd's gradient of S(x) = sum_k sum(out_k * w_k) against
/// central differences (S(x + eps e_j) - S(x - eps e_j)) / 2 eps for every element j of every differentiated input.
/// </summary>
internal static class GradCheck
{
    /// <summary>Checks <paramref name="f"/> at <paramref name="inputs"/>; returns how many partial derivatives were compared.</summary>
    internal static int Run(Func<Tensor[], Tensor[]> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-4)
    {
        using var scope = NewDisposeScope();
        foreach (var t in inputs)
            if (t.requires_grad && t.dtype != ScalarType.Float64)
                throw new ArgumentException($"gradcheck needs float64 inputs, got {DTypeName(t.dtype)}");
        var outputs = f(inputs);
        var used = Enumerable.Range(0, outputs.Length).Where(k => outputs[k].requires_grad).ToArray();
        if (used.Length == 0) throw new XunitException("no output depends differentiably on the inputs: nothing to check");
        var weights = used.ToDictionary(k => k, k => Gradients.Weight(outputs[k], k).to(ScalarType.Float64));
        var analytic = Gradients.OfWeightedSum(outputs, inputs);

        double Objective(Tensor[] x)
        {
            using var inner = NewDisposeScope();
            var outs = f(x);
            double s = 0;
            foreach (var k in used) s += (outs[k].to(ScalarType.Float64) * weights[k]).sum().ToDouble();
            return s;
        }

        int compared = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!inputs[i].requires_grad) continue;
            var shape = inputs[i].shape;
            var values = inputs[i].detach().contiguous().data<double>();
            var numeric = new double[values.Length];
            for (int j = 0; j < values.Length; j++)
            {
                numeric[j] = (Objective(With(inputs, i, values, j, +eps, shape)) - Objective(With(inputs, i, values, j, -eps, shape))) / (2 * eps);
            }
            var got = analytic[i] is { } g ? g.to(ScalarType.Float64).contiguous().data<double>() : new double[values.Length];
            for (int j = 0; j < values.Length; j++)
            {
                compared++;
                if (Math.Abs(got[j] - numeric[j]) > atol + rtol * Math.Abs(numeric[j]))
                    throw new XunitException($"input {i} [{string.Join(", ", shape)}], flat element {j}: autograd gives {got[j]:R}, " +
                        $"central differences {numeric[j]:R} (eps {eps}){(analytic[i] is null ? " (autograd returned None)" : "")}");
            }
        }
        return compared;
    }

    static Tensor[] With(Tensor[] inputs, int i, double[] values, int j, double delta, long[] shape)
    {
        var copy = (Tensor[])inputs.Clone();
        var v = (double[])values.Clone();
        v[j] += delta;
        copy[i] = tensor(v, shape, requires_grad: inputs[i].requires_grad);
        return copy;
    }
}
