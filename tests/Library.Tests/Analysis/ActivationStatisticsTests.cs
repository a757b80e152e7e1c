using ArchNotebooks.Library.Analysis;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Analysis;

/// <summary>Per-layer activation statistics on models whose dead and saturated units are known by construction.</summary>
public class ActivationStatisticsTests
{
    /// <summary>Linear(4, 8) then an activation; units 0..<paramref name="silenced"/>-1 get zero weights and bias <paramref name="silencedBias"/>,
    /// the rest weights scaled by <paramref name="scale"/> and bias <paramref name="liveBias"/>.</summary>
    static Sequential Model(Activation activation, int silenced, double silencedBias, double scale, double liveBias)
    {
        manual_seed(1);
        var linear = new Linear(4, 8);
        using (no_grad())
        {
            linear.weight.mul_(scale);
            linear.bias!.fill_(liveBias);
            linear.weight.narrow(0, 0, silenced).zero_();
            linear.bias.narrow(0, 0, silenced).fill_(silencedBias);
        }
        return new Sequential(linear, activation);
    }

    [Fact]
    public void Relu_units_pushed_below_zero_count_as_dead_and_nothing_else_does()
    {
        using var scope = NewDisposeScope();
        // Live units: small weights and bias 3 keep them positive for these inputs; 3 units: weight 0, bias -1, always 0 after the ReLU.
        var model = Model(Activation.ReLU(), silenced: 3, silencedBias: -1, scale: 0.1, liveBias: 3);
        manual_seed(2);
        var input = randn(64, 4);
        var layers = ActivationStatistics.Of(model, input);
        Assert.Equal(["0", "1"], layers.Select(l => l.Path));
        var linear = layers[0];
        var relu = layers[1];
        Assert.Equal(3.0 / 8, relu.Dead, 12);
        Assert.Equal(0.0, linear.Dead, 12);   // its silenced units sit at -1, not 0
        Assert.Null(relu.Saturated);            // a ReLU does not squash
        Assert.Equal([64L, 8], relu.Shape);

        // The other numbers are those of the very output the layer produced.
        using var capture = model.capture("1");
        using (no_grad()) model.call(input);
        var y = capture["1"].to(ScalarType.Float64);
        Assert.Equal(y.mean().ToDouble(), relu.Mean, 9);
        Assert.Equal(y.std(unbiased: false).ToDouble(), relu.Std, 9);
        Assert.Equal(y.norm(2, 1).mean().ToDouble(), relu.Norm, 9);
        Assert.Equal(y.min().ToDouble(), relu.Min, 9);
        Assert.Equal(y.max().ToDouble(), relu.Max, 9);
        Assert.Equal(64 * 8, relu.HistogramCounts.Sum(), 6);
        // The 3 * 64 zeros fall in the first bin.
        Assert.True(relu.HistogramCounts[0] >= 3 * 64);
    }

    [Fact]
    public void A_unit_that_fires_for_one_example_is_not_dead()
    {
        using var scope = NewDisposeScope();
        var model = Model(Activation.ReLU(), silenced: 0, silencedBias: 0, scale: 1, liveBias: 0);
        var input = zeros(16, 4);   // every pre-activation is bias 0: all units zero, all dead
        Assert.Equal(1.0, ActivationStatistics.Of(model, input)[1].Dead, 12);
        input[5] = ones(4) * 100;   // one example now drives every unit with a positive weight sum
        var layers = ActivationStatistics.Of(model, input);
        var weights = ((Linear)((Sequential)model)[0]).weight;
        double expected = weights.sum(1).le(0).to(ScalarType.Float64).mean().ToDouble();
        Assert.Equal(expected, layers[1].Dead, 12);
        Assert.True(expected < 1);
    }

    [Fact]
    public void Tanh_units_driven_hard_count_as_saturated()
    {
        using var scope = NewDisposeScope();
        // 4 silenced units output tanh(0) = 0; the other 4 have weights 1000 times larger: |tanh| > 0.99 unless an input is near 0.
        var model = Model(Activation.Tanh(), silenced: 4, silencedBias: 0, scale: 1000, liveBias: 0);
        manual_seed(3);
        var input = randn(32, 4);
        var tanh = ActivationStatistics.Of(model, input)[1];
        using var capture = model.capture("0");
        using (no_grad()) model.call(input);
        double expected = capture["0"].tanh().abs().gt(0.99).to(ScalarType.Float64).mean().ToDouble();
        Assert.Equal(expected, tanh.Saturated!.Value, 12);
        Assert.InRange(tanh.Saturated!.Value, 0.45, 0.5);   // at most the live half
        Assert.Equal(0.5, tanh.Dead, 12);   // the silenced half is exactly zero
    }

    [Fact]
    public void Metric_names_round_trip()
    {
        var name = ActivationStatistics.MetricName("blocks.0.mlp", "dead");
        Assert.Equal("activations/blocks.0.mlp/dead", name);
        Assert.True(ActivationStatistics.TryParseMetric(name, out var layer, out var stat));
        Assert.Equal(("blocks.0.mlp", "dead"), (layer, stat));
        Assert.False(ActivationStatistics.TryParseMetric("train_loss", out _, out _));
    }

    [Fact]
    public void The_model_keeps_its_training_mode()
    {
        using var scope = NewDisposeScope();
        var model = Model(Activation.ReLU(), 0, 0, 1, 0);
        model.train();
        ActivationStatistics.Of(model, randn(2, 4));
        Assert.True(model.training);
    }
}
