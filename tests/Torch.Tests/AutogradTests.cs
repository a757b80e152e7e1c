using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>requires_grad, backward (with retain_graph), grad accumulation, detach, no_grad scopes, autograd.grad.</summary>
public class AutogradTests
{
    [Fact]
    public void Backward_fills_leaf_gradients_and_names_the_graph_nodes()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        var y = (x * x).sum();
        Assert.True(x.is_leaf);
        Assert.False(y.is_leaf);
        Assert.Null(x.grad_fn);
        Assert.Equal("SumBackward0", y.grad_fn);
        Assert.Null(x.grad);
        y.backward();
        Assert.Equal(new[] { 2f, 4f, 6f }, x.grad!.data<float>());
    }

    [Fact]
    public void Retain_graph_allows_a_second_backward_and_gradients_accumulate()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, -2 }, requires_grad: true);
        var y = (x * x * x).sum();
        y.backward(retain_graph: true);
        y.backward();
        Assert.Equal(new[] { 6f, 24f }, x.grad!.data<float>());  // 2 * 3x^2
        x.grad = null;
        Assert.Null(x.grad);
    }

    [Fact]
    public void Backward_with_an_explicit_gradient_for_a_non_scalar()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2 }, requires_grad: true);
        (x * 3).backward(tensor(new float[] { 1, 10 }));
        Assert.Equal(new[] { 3f, 30f }, x.grad!.data<float>());
    }

    [Fact]
    public void No_grad_stops_tracking_and_restores_the_previous_mode()
    {
        using var scope = NewDisposeScope();
        var x = ones(new long[] { 2 }, requires_grad: true);
        Assert.True(is_grad_enabled());
        using (no_grad())
        {
            Assert.False(is_grad_enabled());
            Assert.False((x * 2).requires_grad);
            using (enable_grad()) Assert.True((x * 2).requires_grad);
            Assert.False(is_grad_enabled());
        }
        Assert.True(is_grad_enabled());
        Assert.True((x * 2).requires_grad);
        using (set_grad_enabled(false)) Assert.False((x + 1).requires_grad);
    }

    [Fact]
    public void Detach_cuts_the_graph_but_shares_storage()
    {
        using var scope = NewDisposeScope();
        var x = ones(new long[] { 3 }, requires_grad: true);
        var d = x.detach();
        Assert.False(d.requires_grad);
        using (no_grad()) x.add_(1.0);
        Assert.Equal(new[] { 2f, 2f, 2f }, d.data<float>());
    }

    [Fact]
    public void Autograd_grad_returns_gradients_without_touching_grad_and_none_for_unused_inputs()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 0.5, 2 }, requires_grad: true);
        var unused = tensor(new double[] { 1 }, requires_grad: true);
        var y = x.sin().sum();
        var g = autograd.grad(new[] { y }, new[] { x, unused }, allow_unused: true);
        TensorAssert.Close(x.cos(), g[0]!, "d sin / dx");
        Assert.Null(g[1]);
        Assert.Null(x.grad);
        Assert.Throws<TorchException>(() => autograd.grad(new[] { x.sum() }, new[] { unused }));
        Assert.Throws<ArgumentException>(() => autograd.grad(new[] { y }, new[] { x }, new Tensor?[] { null, null }));
    }

    [Fact]
    public void Retain_grad_keeps_the_gradient_of_an_intermediate()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2 }, requires_grad: true);
        var h = x * 2;
        h.retain_grad();
        (h * h).sum().backward();
        Assert.Equal(new[] { 4f, 8f }, h.grad!.data<float>());
        Assert.Equal(new[] { 8f, 16f }, x.grad!.data<float>());
    }

    [Fact]
    public void Operators_build_the_same_graph_as_method_calls()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2 }, requires_grad: true);
        var viaOps = ((a * 2 + 1) / 4 - a).sum();
        var viaCalls = a.mul(2).add(1).div(4).sub(a).sum();
        var g1 = autograd.grad(new[] { viaOps }, new[] { a })[0]!;
        var g2 = autograd.grad(new[] { viaCalls }, new[] { a })[0]!;
        Assert.Equal(g2.data<float>(), g1.data<float>());
        Assert.Equal(new[] { -0.5f, -0.5f }, g1.data<float>());
    }
}
