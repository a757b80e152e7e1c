using System.Text.Json;
using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>Tensor.ToString against PyTorch's repr of the very same tensors (written to a file, printed by parity.py).</summary>
public class TensorStringTests
{
    static Dictionary<string, Tensor> Samples()
    {
        var g = new Dictionary<string, Tensor>();
        lock (typeof(TensorStringTests))
        {
            manual_seed(11);
            g["small_float"] = randn(5);
            g["matrix"] = randn(3, 4);
            g["three_dims"] = randn(2, 2, 3);
            g["integral_floats"] = tensor(new float[] { 1, 2, 3 });
            g["int64"] = arange(10);
            g["int32"] = arange(0, 10, 1, ScalarType.Int32);
            g["negative_ints"] = tensor(new long[] { -5, 10, 300 });
            g["bool"] = tensor(new[] { true, false, true }, new long[] { 1, 3 });
            g["float64"] = tensor(new double[] { 1.5, 2 });
            g["scalar"] = tensor(3.5);
            g["scientific"] = tensor(new float[] { 1e-5f, 1e8f });
            g["nan_inf"] = tensor(new float[] { float.NaN, float.PositiveInfinity, 1.5f });
            g["requires_grad"] = tensor(new float[] { 0.25f, -1 }, requires_grad: true);
            g["empty_2d"] = zeros(2, 0);
            g["complex"] = complex(tensor(new float[] { 1.5f, -2, 0 }), tensor(new float[] { 20, 0.25f, -1 }));
            g["complex_integral_2d"] = complex(tensor(new float[,] { { 1, 2 }, { 3, -4 } }), tensor(new float[,] { { 0, 1 }, { -1, 0 } }));
            g["complex128_scientific"] = complex(tensor(new double[] { 1e-5 }), tensor(new double[] { 1e9 }));
            g["complex_fft"] = fft.rfft(arange(0, 6, 1, ScalarType.Float32));
            g["large_1d_int"] = arange(2000);
            g["large_2d"] = randn(40, 40);
            g["large_wide"] = randn(3, 2000);
            g["large_4d"] = randn(2, 3, 30, 30);
        }
        return g;
    }

    static readonly Lazy<(Dictionary<string, Tensor> tensors, Dictionary<string, string> reprs)> reference = new(() =>
    {
        var tensors = Samples();
        var dir = Directory.CreateTempSubdirectory("archnb-repr-");
        try
        {
            var inPath = Path.Combine(dir.FullName, "tensors.atf");
            var outPath = Path.Combine(dir.FullName, "reprs.json");
            TensorFile.Write(inPath, tensors.Select(kv => new TensorRecord(kv.Key, "", new Tensor?[] { kv.Value })));
            Reference.Parity("repr", inPath, outPath);
            return (tensors, JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(outPath))!);
        }
        finally { dir.Delete(true); }
    });

    public static IEnumerable<object[]> Names() => Samples().Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Names))]
    public void Matches_pytorch_repr(string name)
    {
        var (tensors, reprs) = reference.Value;
        Assert.Equal(reprs[name], tensors[name].ToString());
    }

    [Fact]
    public void Shows_the_autograd_node_of_a_result()
    {
        using var scope = NewDisposeScope();
        var x = ones(new long[] { 2 }, requires_grad: true);
        Assert.Equal("tensor([1., 1.], grad_fn=<MulBackward0>)", (x * x).ToString());
        Assert.Equal("tensor([1., 1.], requires_grad=True)", x.ToString());
    }

    [Fact]
    public void Print_options_change_precision_and_elision()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1.0f / 3, 2.0f / 3 });
        var saved = (printoptions.precision, printoptions.threshold, printoptions.edgeitems);
        try
        {
            set_printoptions(precision: 2);
            Assert.Equal("tensor([0.33, 0.67])", x.ToString());
            set_printoptions(precision: 4, threshold: 4, edgeitems: 1);
            Assert.Equal("tensor([0,  ..., 9])", arange(10).ToString());
        }
        finally
        {
            set_printoptions(saved.precision, saved.threshold, saved.edgeitems);
        }
    }

    [Fact]
    public void Describe_gives_metadata_only()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("[2x3], type = float64, device = cpu", zeros(new long[] { 2, 3 }, ScalarType.Float64).Describe());
    }
}
