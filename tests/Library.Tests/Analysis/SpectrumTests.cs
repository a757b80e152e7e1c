using ArchNotebooks.Library.Analysis;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Analysis;

/// <summary>Spectra of activations of known sinusoids and singular values of weights set by hand.</summary>
public class SpectrumTests
{
    /// <summary>[batch, length, 1] sinusoids of <paramref name="cycles"/> cycles over the length, a different phase per example.</summary>
    static Tensor Sinusoid(long batch, long length, double cycles)
    {
        var t = arange(length, ScalarType.Float32).reshape(1, length, 1);
        var phase = arange(batch, ScalarType.Float32).reshape(batch, 1, 1) * 0.7;
        return (t * (2 * Math.PI * cycles / length) + phase).sin();
    }

    [Theory]
    [InlineData(5)]
    [InlineData(24)]
    public void The_spectrum_of_a_sinusoid_input_peaks_at_its_frequency(int cycles)
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        // A linear layer mixes the one input channel into three with biases: each output channel is the same sinusoid, scaled and shifted.
        var model = new Sequential(new Linear(1, 3), new Linear(3, 2));
        var report = Spectrum.Of("m", model, Sinusoid(4, 64, cycles));
        Assert.Equal(["0", "1"], report.Layers.Select(l => l.Path));
        foreach (var layer in report.Layers)
        {
            Assert.Equal(64, layer.Length);
            Assert.Equal(1, layer.Axis);
            Assert.Equal(32, layer.Frequencies.Length);   // 1/64 .. 32/64 cycles per sample
            Assert.Equal(cycles / 64.0, layer.Dominant, 12);
            Assert.Equal(1.0, layer.Power.Sum(), 9);
            Assert.True(layer.Power[cycles - 1] > 0.999, $"{layer.Path}: {layer.Power[cycles - 1]} of the energy at the input's frequency");
            Assert.Equal(cycles / 64.0 > 0.25 ? 1.0 : 0.0, layer.HighFrequencyShare, 3);
        }
    }

    [Fact]
    public void A_relu_moves_energy_into_harmonics()
    {
        using var scope = NewDisposeScope();
        var model = new Sequential(new Linear(1, 1), Activation.ReLU());
        using (no_grad())
        {
            ((Linear)model[0]).weight.fill_(1);
            ((Linear)model[0]).bias!.fill_(0);
        }
        var report = Spectrum.Of("m", model, Sinusoid(2, 64, 4));
        var linear = report.Layers[0];
        var relu = report.Layers[1];
        Assert.True(linear.Power[3] > 0.999);
        // A half-wave rectified sinusoid keeps most energy at its frequency and puts the rest at its even harmonics (8, 16... cycles).
        Assert.True(relu.Power[3] < 0.99);
        Assert.True(relu.Power[7] > 0.01);
        Assert.Equal(4 / 64.0, relu.Dominant, 12);
    }

    [Fact]
    public void Singular_values_of_a_weight_set_by_hand_are_found()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var linear = new Linear(3, 5);
        var u = linalg.svd(randn([5, 5], ScalarType.Float64)).U.narrow(1, 0, 3);
        var vh = linalg.svd(randn([3, 3], ScalarType.Float64)).Vh;
        var sigma = tensor(new double[] { 4, 1, 0.25 });
        using (no_grad()) linear.weight.copy_((u * sigma).matmul(vh).to(ScalarType.Float32));
        var weights = Spectrum.Weights(new Sequential(linear));
        var w = Assert.Single(weights);
        Assert.Equal("0.weight", w.Name);
        Assert.Equal([5L, 3], w.Shape);
        Assert.Equal(3, w.SingularValues.Length);
        Assert.Equal(4, w.SingularValues[0], 5);
        Assert.Equal(1, w.SingularValues[1], 5);
        Assert.Equal(0.25, w.SingularValues[2], 5);
        Assert.Equal((16 + 1 + 0.0625) / 16, w.StableRank, 4);
        Assert.Equal(16, w.ConditionNumber, 3);
        // The effective rank lies between 1 (one direction) and 3 (all equal).
        Assert.InRange(w.EffectiveRank, 1, 3);
    }

    [Fact]
    public void An_axis_outside_the_output_is_refused_with_its_shape()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => Spectrum.Activations("x", "Linear", randn(2, 8, 3), axis: 5));
        Assert.Contains("[2, 8, 3]", e.Message);
    }
}
