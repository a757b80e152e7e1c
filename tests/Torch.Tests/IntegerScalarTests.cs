using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

public class IntegerScalarTests
{
    [Fact]
    public void Integer_scalars_keep_integer_tensors_integral_as_in_pytorch()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new long[] { 1, 2, 3 });
        Assert.Equal(ScalarType.Int64, (t + 1).dtype);
        Assert.Equal(new long[] { 2, 3, 4 }, (t + 1).data<long>());
        Assert.Equal(new long[] { 3, 6, 9 }, (3 * t).data<long>());
        Assert.Equal(new long[] { 0, 1, 2 }, (t - 1).data<long>());
        Assert.Equal(new long[] { 1, 0, 1 }, (t % 2).data<long>());
        t.add_(10).mul_(2).sub_(1);
        Assert.Equal(new long[] { 21, 23, 25 }, t.data<long>());
    }

    [Fact]
    public void Floating_scalars_promote_integer_tensors_to_float_as_in_pytorch()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new long[] { 1, 2 });
        Assert.Equal(ScalarType.Float32, (t + 0.5).dtype);
        Assert.Equal(new[] { 1.5f, 2.5f }, (t + 0.5).data<float>());
        var ex = Assert.Throws<TorchException>(() => t.add_(0.5));
        Assert.Contains("Float", ex.Message);
    }
}
