using ArchNotebooks.Library.Families;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

/// <summary>The batched experts (two batched products over tokens grouped by expert) against the one-expert-at-a-time loop.</summary>
public class MoEBatchingTests
{
    [Theory]
    [InlineData(4, 1, 21)]
    [InlineData(4, 2, 21)]
    [InlineData(8, 2, 3)]   // more experts than tokens: some experts get nothing
    public void Batched_experts_give_the_loops_outputs_and_gradients_in_float64(int experts, int topK, int tokens)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var layer = new MixtureOfExpertsLayer(8, 16, experts, topK);
        layer.to(ScalarType.Float64);
        var x = randn(new long[] { tokens, 8 }, dtype: ScalarType.Float64).requires_grad_();

        (Tensor Output, Tensor InputGrad, Tensor[] Grads) Run(bool batched)
        {
            layer.Batched = batched;
            foreach (var p in layer.parameters()) p.grad = null;
            x.grad = null;
            var y = layer.call(x);
            // A loss that weighs every output element differently, so a misplaced row cannot cancel out.
            (y * arange(y.numel(), dtype: ScalarType.Float64).reshape(y.shape).sin()).sum().backward();
            return (y.detach().clone(), x.grad!.clone(), layer.parameters().Select(p => p.grad?.clone() ?? zeros_like(p)).ToArray());
        }

        var loop = Run(batched: false);
        var batched = Run(batched: true);
        Assert.True(allclose(batched.Output, loop.Output, rtol: 1e-12, atol: 1e-12), "outputs differ");
        Assert.True(allclose(batched.InputGrad, loop.InputGrad, rtol: 1e-12, atol: 1e-12), "input gradients differ");
        for (int i = 0; i < loop.Grads.Length; i++)
            Assert.True(allclose(batched.Grads[i], loop.Grads[i], rtol: 1e-12, atol: 1e-12), $"gradient of parameter {i} differs");
        // Experts that received no token get zero gradients on both paths, not missing ones.
        Assert.Equal(loop.Grads.Length, batched.Grads.Length);
    }
}
