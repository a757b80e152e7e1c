using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Analysis;

/// <summary>
/// One layer's power spectrum along an axis of its output: <see cref="Power"/>[k] is the share of the output's
/// fluctuation energy (the mean along the axis removed) at frequency <see cref="Frequencies"/>[k] cycles per
/// sample, k = 1 .. n/2, averaged over the batch and every other axis, summing to 1.
/// </summary>
public sealed record LayerSpectrum(string Path, string Type, long Axis, long Length, double[] Frequencies, double[] Power)
{
    /// <summary>The frequency holding the most energy (NaN for a constant output).</summary>
    public double Dominant => Power.All(p => p == 0 || double.IsNaN(p)) ? double.NaN : Frequencies[Array.IndexOf(Power, Power.Max())];

    /// <summary>The share of energy above a quarter cycle per sample (the top half of the band): high-frequency content.</summary>
    public double HighFrequencyShare => Frequencies.Zip(Power).Where(f => f.First > 0.25).Sum(f => f.Second);
}

/// <summary>The singular values of one weight matrix (tensors of more dimensions are flattened to [out, rest]), largest first.</summary>
public sealed record WeightSpectrum(string Name, long[] Shape, double[] SingularValues)
{
    /// <summary>sum σ² / max σ²: how many directions carry the matrix's energy (1 for rank one, the rank for a flat spectrum).</summary>
    public double StableRank => SingularValues.Length == 0 || SingularValues[0] == 0 ? 0 : SingularValues.Sum(s => s * s) / (SingularValues[0] * SingularValues[0]);

    /// <summary>exp of the entropy of σ / sum σ (Roy and Vetterli's effective rank).</summary>
    public double EffectiveRank
    {
        get
        {
            double total = SingularValues.Sum();
            if (total <= 0) return 0;
            double h = -SingularValues.Where(s => s > 0).Sum(s => s / total * Math.Log(s / total));
            return Math.Exp(h);
        }
    }

    /// <summary>max σ / min σ (infinite when the matrix is rank-deficient).</summary>
    public double ConditionNumber => SingularValues.Length == 0 ? double.NaN : SingularValues[0] / SingularValues[^1];
}

/// <summary>Frequency content of each layer's activations and the singular-value spectrum of each weight matrix.</summary>
public sealed record SpectrumReport(string Model, string InputShape, IReadOnlyList<LayerSpectrum> Layers, IReadOnlyList<WeightSpectrum> Weights);

/// <summary>Spectral analysis of a model: torch.fft over activations, torch.linalg.svdvals over weights.</summary>
public static class Spectrum
{
    /// <summary>
    /// Runs <paramref name="model"/> once on <paramref name="input"/> (eval mode, no gradients; its mode is restored)
    /// and returns the power spectrum of every submodule output that has an axis of at least 4 samples along
    /// <paramref name="axis"/> (default: 1, the sequence of [batch, sequence, features] and the first spatial axis
    /// is 2 for [batch, channels, height, width]; negative counts from the end), and the singular values of
    /// every weight matrix.
    /// </summary>
    public static SpectrumReport Of(string name, Module<Tensor, Tensor> model, Tensor input, long? axis = null)
    {
        var layers = new List<LayerSpectrum>();
        LayerOutputs.Watch(model, input, (path, m, t) =>
        {
            if (t.dim() < 2) return;
            long ax = AxisOf(t, axis);
            if (ax >= 1 && ax < t.dim() && t.shape[ax] >= 4) layers.Add(Activations(path, m.GetType().Name, t, ax));
        });
        return new SpectrumReport(name, "[" + string.Join(", ", input.shape) + "]", layers, Weights(model));
    }

    /// <summary>The default axis: the sequence of a 3-D output, the height of a 4-D or 5-D one (space, or time for video).</summary>
    static long AxisOf(Tensor t, long? axis) => axis is { } a ? (a < 0 ? t.dim() + a : a) : t.dim() >= 4 ? 2 : 1;

    /// <summary>The power spectrum of <paramref name="output"/> along <paramref name="axis"/> (see <see cref="LayerSpectrum"/>).</summary>
    public static LayerSpectrum Activations(string path, string type, Tensor output, long axis)
    {
        if (axis < 0) axis += output.dim();
        if (axis < 0 || axis >= output.dim()) throw new ArgumentException($"axis {axis} is outside a {output.dim()}-D output of shape [{string.Join(", ", output.shape)}]");
        long n = output.shape[axis];
        if (n < 2) throw new ArgumentException($"the spectrum along axis {axis} needs at least 2 samples, the output has {n}");
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var x = output.detach().to(ScalarType.Float64);
        var centred = x - x.mean(axis, keepdim: true);
        var power = fft.rfft(centred, dim: axis).abs().square();
        // Every axis but the frequency one is averaged away; the zero frequency (0 after centring) is dropped.
        var perFrequency = power.movedim(axis, -1).reshape(-1, power.shape[axis]).mean(0);
        var values = perFrequency.data<double>()[1..];
        double total = values.Sum();
        var shares = total > 0 ? values.Select(v => v / total).ToArray() : values.Select(_ => 0.0).ToArray();
        var freqs = fft.rfftfreq(n, dtype: ScalarType.Float64).data<double>()[1..];
        return new LayerSpectrum(path, type, axis, n, freqs, shares);
    }

    /// <summary>Singular values of every parameter with two or more dimensions (embeddings and convolution kernels included).</summary>
    public static IReadOnlyList<WeightSpectrum> Weights(Module model)
    {
        var result = new List<WeightSpectrum>();
        foreach (var (pname, p) in model.named_parameters())
        {
            if (p.dim() < 2) continue;
            using var scope = NewDisposeScope();
            using var grad = no_grad();
            var matrix = p.detach().to(ScalarType.Float64).reshape(p.shape[0], -1);
            result.Add(new WeightSpectrum(pname, p.shape, linalg.svdvals(matrix).cpu().data<double>()));
        }
        return result;
    }
}
