using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Interop;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>Inputs that crash libtorch 1.13 outright are refused by the shim, whichever way the operator is called.</summary>
public class CrashGuardTests
{
    [Fact]
    public void Raw_index_select_of_several_values_from_a_0d_tensor_is_a_managed_error()
    {
        using var scope = NewDisposeScope();
        var scalar = tensor(3.0);
        var index = tensor(new long[] { 0, 0, 0 });
        var ex = Assert.Throws<TorchException>(() => ops.aten["index_select"](scalar, 0, index));
        Assert.Contains("0-d tensor can have only 1 value, got 3", ex.Message);
        // One value is fine, as in PyTorch.
        var one = (Tensor)ops.aten["index_select"](scalar, 0, tensor(new long[] { 0 }))!;
        Assert.Equal(3.0, one.ToDouble());
    }

    [Theory]
    [InlineData("lstm", 8)]
    [InlineData("gru", 8)]
    public void Raw_recurrent_calls_with_too_few_weights_are_managed_errors(string op, int expected)
    {
        using var scope = NewDisposeScope();
        var input = randn(5, 1, 3);
        var gates = op == "lstm" ? 4 : 3;
        // Two layers need eight tensors (w_ih, w_hh, b_ih, b_hh each); give one layer's worth.
        Tensor?[] weights = [randn(gates * 4, 3), randn(gates * 4, 4), randn(gates * 4), randn(gates * 4)];
        Arg hx = op == "lstm" ? new Tensor?[] { zeros(2, 1, 4), zeros(2, 1, 4) } : zeros(2, 1, 4);
        var ex = Assert.Throws<TorchException>(() => ops.aten[op](input, hx, weights, true, 2L, 0.0, false, false, false));
        Assert.Contains($"expected {expected} weight tensors for 2 layer(s)", ex.Message);
        Assert.Contains("got 4", ex.Message);
    }
}
