using ArchNotebooks.Torch.Interop;
using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Torch.Tests;

/// <summary>Wrong shapes, dtypes, devices, indices and arguments: each is a managed exception whose message names the problem.</summary>
public class BadInputTests
{
    sealed record BadCall(Func<object?> Call, Type Expected, string[] Mentions);

    static BadCall Bad<TException>(Func<object?> call, params string[] mentions) where TException : Exception =>
        new(call, typeof(TException), mentions);

    static readonly Dictionary<string, BadCall> table = new()
    {
        ["matmul shape mismatch"] = Bad<TorchException>(() => randn(3, 4).matmul(randn(5, 6)), "3x4", "5x6"),
        ["mm dtype mismatch"] = Bad<TorchException>(() => randn(3, 4).mm(randn(new long[] { 4, 2 }, ScalarType.Float64)), "Float", "Double"),
        ["bmm of 2-D tensors"] = Bad<TorchException>(() => randn(3, 4).bmm(randn(4, 3)), "3D"),
        ["broadcast mismatch"] = Bad<TorchException>(() => randn(3, 4) + randn(5, 6), "(4)", "(6)", "dimension 1"),
        ["cat of different shapes"] = Bad<TorchException>(() => cat(new[] { randn(3, 4), randn(5, 6) }), "Expected size 4 but got size 6"),
        ["cat of nothing"] = Bad<TorchException>(() => cat(Array.Empty<Tensor>()), "non-empty"),
        ["cat along a missing dimension"] = Bad<TorchException>(() => cat(new[] { randn(2, 2), randn(2, 2) }, 5), "Dimension out of range", "got 5"),
        ["stack of different shapes"] = Bad<TorchException>(() => stack(new[] { randn(2, 3), randn(3, 2) }), "stack expects each tensor to be equal size"),
        ["index_select with float indices"] = Bad<TorchException>(() => randn(3, 4).index_select(0, randn(2)), "int32 or int64"),
        ["integer index past the end"] = Bad<IndexOutOfRangeException>(() => randn(3, 4)[5], "index 5", "size 3"),
        ["negative index past the start"] = Bad<IndexOutOfRangeException>(() => randn(3, 4)[.., -5], "index -5", "dimension 1", "size 4"),
        ["too many indices"] = Bad<IndexOutOfRangeException>(() => randn(3, 4)[0, 0, 0], "too many indices", "dimension 2"),
        ["tensor index out of range"] = Bad<TorchException>(() => randn(3, 4)[tensor(new long[] { 7 })], "index 7", "size 3"),
        ["gather index out of range"] = Bad<TorchException>(() => randn(3, 4).gather(1, full(new long[] { 3, 1 }, 9, ScalarType.Int64)), "index 9", "size 4"),
        ["scatter index out of range"] = Bad<TorchException>(() => randn(3, 4).scatter(1, full(new long[] { 1, 2 }, 9, ScalarType.Int64), 1.0), "index 9", "size 4"),
        ["index_put index out of range"] = Bad<TorchException>(() => { using var y = zeros(3, 4); y[tensor(new long[] { 9 })] = ones(4); return null; }, "index 9", "size 3"),
        ["embedding index out of range"] = Bad<TorchException>(() => F.embedding(tensor(new long[] { 11 }), randn(10, 4)), "index out of range"),
        ["select out of range"] = Bad<TorchException>(() => randn(3, 4).select(0, 7), "index 7", "size [3, 4]"),
        ["narrow past the end"] = Bad<TorchException>(() => randn(3, 4).narrow(0, 2, 5), "start (2) + length (5)", "(3)"),
        ["size of a missing dimension"] = Bad<IndexOutOfRangeException>(() => randn(3, 4).size(5), "dimension 5", "2 dimensions"),
        ["sum over a missing dimension"] = Bad<TorchException>(() => randn(3, 4).sum(3), "Dimension out of range", "got 3"),
        ["cross_entropy target out of range"] = Bad<TorchException>(() => F.cross_entropy(randn(2, 3), tensor(new long[] { 0, 5 })), "Target 5", "out of bounds"),
        ["one_hot class out of range"] = Bad<TorchException>(() => one_hot(tensor(new long[] { 5 }), 3), "num_classes"),
        ["cuda:63 device"] = Bad<TorchException>(() => zeros(new long[] { 2 }, device: new Device(DeviceType.CUDA, 63)), "CUDA"),
        ["unknown device name"] = Bad<ArgumentException>(() => ones(2).to("tpu"), "unknown device 'tpu'"),
        ["unknown operator"] = Bad<TorchException>(() => torch.ops.aten["not_an_op"](ones(2)), "unknown operator", "aten::not_an_op"),
        ["unknown operator overload"] = Bad<TorchException>(() => new Op("add", "NoSuchOverload").Call(ones(2)), "aten::add.NoSuchOverload"),
        ["wrong keyword argument"] = Bad<ArgumentException>(() => torch.ops.aten["add"](ones(2), ones(2), Arg.Kw("beta", 2)), "unexpected keyword argument 'beta'"),
        ["wrong argument type"] = Bad<ArgumentException>(() => torch.ops.aten["add"](ones(2), "x"), "'other'", "got str"),
        ["too many arguments"] = Bad<ArgumentException>(() => torch.ops.aten["relu"](ones(2), ones(2), ones(2)), "takes 1 arguments but 3 were given"),
        ["missing required argument"] = Bad<ArgumentException>(() => new Op("mm").Call(ones(2, 2)), "missing required argument 'mat2'"),
        ["keyword-only argument passed by position"] = Bad<ArgumentException>(() => new Op("meshgrid", "indexing").CallTensors(new[] { ones(2) }, "ij"), "'indexing' is keyword-only"),
        ["unsupported .NET argument"] = Bad<ArgumentException>(() => torch.ops.aten["add"](ones(2), Arg.From(new object())), "cannot pass a value of type Object"),
        ["negative size"] = Bad<ArgumentException>(() => zeros(-1, 2), "negative dimension -1", "[-1, 2]"),
        ["negative size with options"] = Bad<ArgumentException>(() => randn(new long[] { 2, -3 }, ScalarType.Float64), "negative dimension -3"),
        ["data that does not fill the shape"] = Bad<ArgumentException>(() => tensor(new float[] { 1, 2, 3 }, new long[] { 2, 2 }), "[2, 2] needs 4 elements but 3"),
        ["reshape to the wrong element count"] = Bad<TorchException>(() => randn(3, 4).reshape(5, 5), "[5, 5]", "size 12"),
        ["view of a non-contiguous tensor"] = Bad<TorchException>(() => randn(3, 4).t().view(12), "view size is not compatible", "reshape"),
        ["permute with too few dims"] = Bad<TorchException>(() => randn(3, 4).permute(0), "input.dim() = 2", "len(dims) = 1"),
        ["expand to an incompatible size"] = Bad<TorchException>(() => randn(3, 4).expand(5, 5), "expanded size", "(4)"),
        ["conv2d channel mismatch"] = Bad<TorchException>(() => F.conv2d(randn(1, 3, 5, 5), randn(4, 2, 3, 3)), "expected input[1, 3, 5, 5] to have 2 channels"),
        ["layer_norm shape mismatch"] = Bad<TorchException>(() => F.layer_norm(randn(3, 4), new long[] { 5 }), "normalized_shape=[5]", "[3, 4]"),
        ["max_pool2d kernel larger than input"] = Bad<TorchException>(() => F.max_pool2d(randn(1, 1, 2, 2), 3), "Output size is too small"),
        ["lstm with missing weights"] = Bad<ArgumentException>(() => F.lstm(randn(5, 2, 3), randn(1, 2, 4), randn(1, 2, 4), new[] { randn(16, 3) }, 1), "expected 4 weight tensors", "got 1"),
        // These two crashed the process inside libtorch 1.13 (PyTorch's own torch.lstm segfaults the same way).
        ["lstm with no weights for two layers"] = Bad<ArgumentException>(() => F.lstm(randn(2, 3, 3), randn(2, 3, 4), randn(2, 3, 4), Array.Empty<Tensor>(), 2), "expected 8 weight tensors", "got 0"),
        ["lstm hidden state for the wrong layer count"] = Bad<ArgumentException>(() =>
            F.lstm(randn(5, 2, 3), randn(3, 2, 4), randn(1, 2, 4), new[] { randn(16, 3), randn(16, 4), randn(16), randn(16) }, 1), "[1, 2, hidden_size]", "[3, 2, 4]"),
        ["gru with zero layers"] = Bad<ArgumentException>(() => F.gru(randn(5, 2, 3), randn(1, 2, 4), Array.Empty<Tensor>(), 0), "num_layers must be at least 1"),
        ["gru with 2-D input"] = Bad<ArgumentException>(() => F.gru(randn(5, 3), randn(1, 2, 4), new[] { randn(12, 3), randn(12, 4), randn(12), randn(12) }, 1), "3-D", "[5, 3]"),
        ["index_select of a 0-d tensor with many indices"] = Bad<ArgumentException>(() => tensor(3L).index_select(0, zeros(new long[] { 4 }, ScalarType.Int64)), "0-d", "got 4"),
        ["attention with mismatched head size"] = Bad<TorchException>(() => F.scaled_dot_product_attention(randn(2, 3, 4), randn(2, 5, 3), randn(2, 5, 4)), "[2, 4]", "[2, 3]"),
        ["einsum with inconsistent sizes"] = Bad<TorchException>(() => einsum("ij,jk->ik", randn(3, 4), randn(3, 4)), "subscript j", "size 3", "size 4"),
        ["masked_fill with a float mask"] = Bad<TorchException>(() => randn(3).masked_fill(randn(3), 1.0), "Mask"),
        ["chunk into zero pieces"] = Bad<TorchException>(() => randn(3).chunk(0), "greater than 0", "got: 0"),
        ["label smoothing above one"] = Bad<ArgumentException>(() => F.cross_entropy(randn(2, 3), tensor(new long[] { 0, 1 }), label_smoothing: 2), "label_smoothing", "got 2"),
        ["unknown reduction"] = Bad<ArgumentException>(() => F.mse_loss(randn(2), randn(2), "avg"), "'avg'"),
        ["dropout probability above one"] = Bad<ArgumentException>(() => F.dropout(randn(2), 1.5), "[0, 1]", "1.5"),
        ["randint with low >= high"] = Bad<ArgumentException>(() => randint(5, 2, new long[] { 3 }), "low=5", "high=2"),
        ["arange with zero step"] = Bad<ArgumentException>(() => arange(0, 5, 0), "step"),
        ["reading float32 as long"] = Bad<InvalidOperationException>(() => randn(2).data<long>(), "float32", "Int64"),
        ["item of a many-element tensor"] = Bad<InvalidOperationException>(() => randn(3, 4).item<float>(), "12", "[3, 4]"),
        ["backward from a non-scalar"] = Bad<TorchException>(() => { (randn(3).requires_grad_() * 2).backward(); return null; }, "scalar outputs"),
        ["backward without grad"] = Bad<TorchException>(() => { randn(3).sum().backward(); return null; }, "does not require grad"),
        ["backward twice without retain_graph"] = Bad<TorchException>(() =>
        {
            var x = randn(3).requires_grad_();
            var y = (x * x).sum();
            y.backward();
            y.backward();
            return null;
        }, "backward through the graph a second time", "retain_graph"),
        ["requires_grad on integers"] = Bad<TorchException>(() => tensor(new long[] { 1 }).requires_grad_(), "floating point"),
        ["in-place op on a leaf that requires grad"] = Bad<TorchException>(() => randn(3).requires_grad_().add_(1.0), "leaf Variable", "in-place"),
        ["multinomial with negative weights"] = Bad<TorchException>(() => multinomial(tensor(new float[] { -1f, 2f }), 1), "element < 0"),
        ["zero threads"] = Bad<ArgumentException>(() => { set_num_threads(0); return null; }, "at least 1"),
    };

    public static IEnumerable<object[]> Cases() => table.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Raises_a_managed_exception_naming_the_problem(string name)
    {
        var bad = table[name];
        using var scope = NewDisposeScope();
        var e = Record.Exception(bad.Call);
        Assert.True(e is not null, $"'{name}' did not throw");
        Assert.True(e.GetType() == bad.Expected, $"'{name}' threw {e.GetType().Name} ({e.Message}), expected {bad.Expected.Name}");
        TensorAssert.MessageMentions(e, bad.Mentions);
        // libtorch's C++ backtrace stays on the native side: the message is for people.
        Assert.DoesNotContain("Exception raised from", e.Message);
    }

    [NoCudaFact]
    public void A_cuda_tensor_without_cuda_is_a_managed_error_naming_cuda()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => zeros(new long[] { 2 }, device: CUDA));
        TensorAssert.MessageMentions(e, "CUDA");
        var moved = Assert.Throws<TorchException>(() => ones(2).to("cuda"));
        TensorAssert.MessageMentions(moved, "cuda");
        Assert.Throws<TorchException>(() => cuda.synchronize());
    }

    [Fact]
    public void Cat_promotes_mixed_dtypes_as_pytorch_does()
    {
        // Not an error in PyTorch >= 1.5: float32 with float64 gives float64, float with bool gives float.
        using var scope = NewDisposeScope();
        Assert.Equal(ScalarType.Float64, cat(new[] { ones(2), ones(new long[] { 2 }, ScalarType.Float64) }).dtype);
        Assert.Equal(ScalarType.Float32, cat(new[] { ones(2), ones(new long[] { 2 }, ScalarType.Bool) }).dtype);
    }

    [Fact]
    public void Errors_leave_the_thread_clean_for_the_next_call()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<TorchException>(() => randn(3, 4).matmul(randn(5, 6)));
        var ok = ones(2, 3).matmul(ones(3, 2));
        Assert.Equal(new float[] { 3, 3, 3, 3 }, ok.data<float>());
        Assert.Equal(new long[] { 2 }, torch.ops.aten["sum"](ones(2, 2), new long[] { 1 }) is Tensor t ? t.shape : null);
    }
}
