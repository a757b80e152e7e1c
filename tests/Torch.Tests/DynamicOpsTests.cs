using ArchNotebooks.Torch.Interop;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>torch.ops.aten["name"](...): overload choice, keywords, defaults, tuple and list results.</summary>
public class DynamicOpsTests
{
    [Fact]
    public void Picks_the_overload_that_fits_and_takes_keywords()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2 });
        var sumTensor = (Tensor)torch.ops.aten["add"](a, a, Arg.Kw("alpha", 3))!;
        Assert.Equal(new[] { 4f, 8f }, sumTensor.data<float>());
        var sumScalar = (Tensor)torch.ops.aten["add"](a, 10)!;
        Assert.Equal(new[] { 11f, 12f }, sumScalar.data<float>());
    }

    [Fact]
    public void Fills_defaults_and_returns_tuples_and_lists()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[,] { { 1, 5 }, { 7, 3 } });
        var max = (object?[])torch.ops.aten["max"](x, 1)!;  // aten::max.dim(self, dim, keepdim=False)
        Assert.Equal(new[] { 5f, 7f }, ((Tensor)max[0]!).data<float>());
        Assert.Equal(new[] { 1L, 0L }, ((Tensor)max[1]!).data<long>());
        var parts = (Tensor[])torch.ops.aten["split"](arange(5), new long[] { 2, 3 })!;
        Assert.Equal(new long[] { 2, 3 }, parts.Select(p => p.shape[0]).ToArray());
        Assert.Equal(true, torch.ops.aten["equal"](x, x.clone()));
        Assert.Equal(2L, torch.ops.aten["size"](x, 1));  // an int result
    }

    [Fact]
    public void Lists_overloads_and_schemas()
    {
        var add = torch.ops.aten.Get("add");
        Assert.Contains("Tensor", add.Overloads);
        Assert.Contains("Scalar", add.Overloads);
        Assert.Contains("", torch.ops.aten.Get("relu").Overloads);
        Assert.Contains("add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor", add.Schemas);
        Assert.Equal("aten::mm(Tensor self, Tensor mat2) -> Tensor", Op.Get("aten::mm").Schema);
    }

    [Fact]
    public void Resolves_each_name_once()
    {
        // Resolution scans every registered operator; a fresh lookup per call once cost ~0.7 ms.
        Assert.Same(torch.ops.aten.Get("relu"), torch.ops.aten.Get("relu"));
        Assert.NotSame(torch.ops.aten.Get("relu"), torch.ops.Namespace("prims").Get("relu"));
    }

    [Fact]
    public void Other_namespaces_are_reachable()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { -1, 2 });
        var r = (Tensor)torch.ops.Namespace("aten")["relu"](x)!;
        Assert.Equal(new[] { 0f, 2f }, r.data<float>());
        var e = Assert.Throws<TorchException>(() => torch.ops.Namespace("nosuchns")["relu"](x));
        Assert.Contains("nosuchns::relu", e.Message);
    }
}
