using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Profiling;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Profiling;

/// <summary>FLOPs against their formulas, the summary's sums over children, and per-layer timing.</summary>
public class ProfilingTests
{
    [Fact]
    public void A_linear_costs_two_flops_per_multiply_add_at_every_position()
    {
        using var scope = NewDisposeScope();
        var linear = new Linear(16, 64);
        var x = randn(2, 7, 16);
        Assert.Equal(2.0 * 16 * 64 * (2 * 7), Flops.Own(linear, x, linear.call(x)));
        var summary = ModelSummary.Of("fc", linear, x);
        var row = Assert.Single(summary.Rows);
        Assert.Equal(("fc", 0, "Linear", "[2, 7, 64]"), (row.Name, row.Depth, row.Type, row.OutputShape));
        Assert.Equal(16 * 64 + 64, row.Parameters);
        Assert.Equal(2.0 * 16 * 64 * 14, summary.Flops);
        Assert.Equal(2 * 7 * 64 * sizeof(float), summary.ActivationBytes);
        Assert.Equal(0, summary.Unestimated);
    }

    [Fact]
    public void Attention_costs_its_projections_and_both_matmuls()
    {
        using var scope = NewDisposeScope();
        var attention = new MultiHeadAttention(16, heads: 2);
        double b = 2, l = 7, d = 16;
        var x = randn(2, 7, 16);
        // Q from x, K and V from x (self-attention), QKᵀ and AV; the output projection is its Linear child.
        double own = 2 * b * l * d * d + 2 * b * l * 2 * d * d + 2 * (2 * b * l * l * d);
        Assert.Equal(own, Flops.Own(attention, x, attention.call(x)));
        Assert.Equal(own + 2 * b * l * d * d, ModelSummary.Of("attn", attention, x).Flops);
        // Cross-attention: keys and values come from a context of another length.
        double s = 9;
        var context = randn(2, 9, 16);
        double cross = 2 * b * l * d * d + 2 * b * s * 2 * d * d + 2 * (2 * b * l * s * d);
        Assert.Equal(cross, Flops.Own(attention, (x, context), attention.call(x, context)));
    }

    [Fact]
    public void A_summary_sums_children_and_restores_the_training_mode()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        manual_seed(0);
        using var model = new TaskMlp(task, width: 32);
        using var scope = NewDisposeScope();
        using var batch = task.Sample(4, 0, Split.Test);
        var summary = ModelSummary.Of("mlp", model, batch.Input);
        Assert.True(model.training);
        Assert.Equal(new[] { "mlp", "hidden", "output" }, summary.Rows.Select(r => r.Name));
        Assert.Equal(new[] { 0, 1, 1 }, summary.Rows.Select(r => r.Depth));
        // A set of 3 one-hot digits (of 6) is 18 features into the hidden layer.
        double hidden = 2.0 * 18 * 32 * 4, output = 2.0 * 32 * 6 * 4;
        Assert.Equal(new[] { hidden + output, hidden, output }, summary.Rows.Select(r => r.Flops!.Value));
        Assert.Equal(model.num_parameters(), summary.Parameters);
        Assert.Equal(summary.Rows.Where(r => r.Leaf).Sum(r => r.OutputBytes), summary.ActivationBytes);
        Assert.Equal("[4, 3, 6]", summary.InputShape);
    }

    [Fact]
    public void A_profile_times_every_layer_and_stops_when_cancelled()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        manual_seed(0);
        using var model = new TaskMlp(task, width: 32);
        using var scope = NewDisposeScope();
        using var batch = task.Sample(8, 0, Split.Test);
        var profile = LatencyProfile.Of("mlp", model, batch.Input, repeats: 3);
        Assert.False(profile.Interrupted);
        Assert.True(model.training);
        Assert.Equal(new[] { "", "hidden", "output" }, profile.Rows.Select(r => r.Path));
        Assert.All(profile.Rows, r => Assert.True(r.Milliseconds > 0, $"{r.Path}: {r.Milliseconds}"));
        Assert.Equal(profile.Rows[0].Milliseconds!.Value, profile.TotalMilliseconds);
        Assert.Equal((18 * 32 + 32) * sizeof(float), profile.Rows[1].ParameterBytes);
        Assert.Equal(8 * 32 * sizeof(float), profile.Rows[1].OutputBytes);

        var cancelled = LatencyProfile.Of("mlp", model, batch.Input, repeats: 3, new CancellationToken(canceled: true));
        Assert.True(cancelled.Interrupted);
        Assert.All(cancelled.Rows, r => Assert.Null(r.Milliseconds));
        Assert.True(double.IsNaN(cancelled.TotalMilliseconds));
    }
}
