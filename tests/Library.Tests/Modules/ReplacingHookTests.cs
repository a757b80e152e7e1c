using ArchNotebooks.Library.Layers;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
// first → relu → second: a zero from the first layer stays zero through the relu, and a positive scale commutes with it.
using TwoLayer = Library.Tests.Modules.ModuleBaseTests.TwoLayer;

namespace Library.Tests.Modules;

/// <summary>Forward hooks that return a tensor replace the module's output, as in PyTorch.</summary>
public class ReplacingHookTests
{
    [Fact]
    public void A_returned_tensor_becomes_the_output_that_later_layers_see()
    {
        using var scope = NewDisposeScope();
        using var m = new TwoLayer();
        var x = randn(3, 4);
        var before = m.call(x);
        using (m.first.register_forward_hook((_, _, output) => zeros_like(output)))
        {
            // With the first layer's output zeroed, the model's output is the second layer's bias on every row.
            var zeroed = m.call(x);
            Assert.True(allclose(zeroed, m.second.bias!.unsqueeze(0).expand(3, 2)));
        }
        Assert.True(allclose(before, m.call(x)), "removing the hook restores the original output");
    }

    [Fact]
    public void Null_keeps_the_output_and_hooks_chain_in_order_with_captures_seeing_the_result()
    {
        using var scope = NewDisposeScope();
        using var m = new TwoLayer();
        var x = randn(2, 4);
        var plain = m.first.call(x);
        var order = new List<string>();
        using var observe = m.first.register_forward_hook((_, _, output) => { order.Add("observe"); return null; });
        using var doubled = m.first.register_forward_hook((_, _, output) => { order.Add("double"); return output * 2; });
        using var plusOne = m.first.register_forward_hook((_, _, output) => { order.Add("plus one"); return output + 1; });
        using var capture = m.capture("first");
        var y = m.first.call(x);
        Assert.Equal(["observe", "double", "plus one"], order);
        Assert.True(allclose(y, plain * 2 + 1));
        Assert.True(allclose(capture["first"], plain * 2 + 1));
    }

    [Fact]
    public void Gradients_flow_through_the_replacement()
    {
        using var scope = NewDisposeScope();
        using var m = new TwoLayer();
        var x = randn(5, 4);
        m.call(x).sum().backward();
        var plain = m.first.weight.grad!.clone();
        m.first.weight.grad!.zero_();
        using (m.first.register_forward_hook((_, _, output) => output * 3))
            m.call(x).sum().backward();
        Assert.True(allclose(m.first.weight.grad!, plain * 3, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void An_expression_that_yields_no_tensor_stays_an_observer()
    {
        // The form notebooks use to count multiply-adds: the lambda's value is a number, so it must not replace anything.
        using var scope = NewDisposeScope();
        using var m = new TwoLayer();
        long elements = 0;
        var x = randn(2, 4);
        var before = m.call(x);
        using (m.first.register_forward_hook((_, _, o) => elements += ((Tensor)o!).numel()))
            Assert.True(allclose(before, m.call(x)));
        Assert.Equal(16, elements);
    }

    [Fact]
    public void A_replacement_on_cross_attention_replaces_what_the_caller_gets()
    {
        using var scope = NewDisposeScope();
        using var attn = new MultiHeadAttention(8, 2);
        var (x, context) = (randn(1, 3, 8), randn(1, 5, 8));
        using (attn.register_forward_hook((_, input, output) =>
        {
            Assert.IsType<(Tensor, Tensor)>(input);
            return ones_like(output);
        }))
            Assert.True(allclose(attn.call(x, context), ones(1, 3, 8)));
    }
}
