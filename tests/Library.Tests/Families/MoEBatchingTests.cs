using ArchNotebooks.Library.Families;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

/// <summary>The grouped and padded-batched ways of running the experts against the one-expert-at-a-time loop.</summary>
public class MoEBatchingTests
{
    [Theory]
    [InlineData(ExpertDispatch.Grouped, 4, 1, 21)]
    [InlineData(ExpertDispatch.Grouped, 4, 2, 21)]
    [InlineData(ExpertDispatch.Grouped, 8, 2, 3)]   // more experts than tokens: some experts get nothing
    [InlineData(ExpertDispatch.Padded, 4, 1, 21)]
    [InlineData(ExpertDispatch.Padded, 4, 2, 21)]
    [InlineData(ExpertDispatch.Padded, 8, 2, 3)]
    public void Grouped_and_padded_experts_give_the_loops_outputs_and_gradients_in_float64(ExpertDispatch dispatch, int experts, int topK, int tokens)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var layer = new MixtureOfExpertsLayer(8, 16, experts, topK);
        layer.to(ScalarType.Float64);
        var x = randn(new long[] { tokens, 8 }, dtype: ScalarType.Float64).requires_grad_();

        (Tensor Output, Tensor InputGrad, Tensor[] Grads) Run(ExpertDispatch way)
        {
            layer.Dispatch = way;
            foreach (var p in layer.parameters()) p.grad = null;
            x.grad = null;
            var y = layer.call(x);
            // A loss that weighs every output element differently, so a misplaced row cannot cancel out.
            (y * arange(y.numel(), dtype: ScalarType.Float64).reshape(y.shape).sin()).sum().backward();
            return (y.detach().clone(), x.grad!.clone(), layer.parameters().Select(p => p.grad?.clone() ?? zeros_like(p)).ToArray());
        }

        var loop = Run(ExpertDispatch.Loop);
        var batched = Run(dispatch);
        Assert.True(allclose(batched.Output, loop.Output, rtol: 1e-12, atol: 1e-12), "outputs differ");
        Assert.True(allclose(batched.InputGrad, loop.InputGrad, rtol: 1e-12, atol: 1e-12), "input gradients differ");
        for (int i = 0; i < loop.Grads.Length; i++)
            Assert.True(allclose(batched.Grads[i], loop.Grads[i], rtol: 1e-12, atol: 1e-12), $"gradient of parameter {i} differs");
        // Experts that received no token get zero gradients on both paths, not missing ones.
        Assert.Equal(loop.Grads.Length, batched.Grads.Length);
    }

    [Fact]
    public void Grouped_dispatch_calls_each_experts_own_module_so_its_hooks_fire()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var layer = new MixtureOfExpertsLayer(8, 16, experts: 4, topK: 2);
        var rowsSeen = new long[4];
        for (int e = 0; e < 4; e++)
        {
            int expert = e;
            layer.experts[e].register_forward_hook((_, input, _) => { rowsSeen[expert] += ((Tensor)input!).size(0); });
        }
        layer.call(randn(30, 8));
        // 30 tokens, 2 experts each: every assignment reached exactly one expert's forward.
        Assert.Equal(60, rowsSeen.Sum());
        Assert.Equal(layer.LastUtilization.Select(u => (long)Math.Round(u * 60)), rowsSeen);
    }
}
