using System.Text;
using System.Text.Json;
using ArchNotebooks.Torch.Serialization;
using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Serialization;

/// <summary>safetensors round trips: every dtype bit for bit, metadata, layout of the file, atomic replacement.</summary>
public sealed class SafetensorsTests : IDisposable
{
    readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("archnb-safetensors-");
    string PathOf(string name) => Path.Combine(dir.FullName, name);
    public void Dispose() => dir.Delete(recursive: true);

    public static TheoryData<ScalarType> DTypes => new(SafetensorsBits.AllDTypes);

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Every_dtype_round_trips_bit_for_bit(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["matrix"] = SafetensorsBits.RandomBits(dtype, new long[] { 7, 5 }, seed: (int)dtype),
            ["scalar"] = SafetensorsBits.RandomBits(dtype, Array.Empty<long>(), seed: 99),
            ["empty"] = SafetensorsBits.RandomBits(dtype, new long[] { 0, 3 }, seed: 1),
            ["cube"] = SafetensorsBits.RandomBits(dtype, new long[] { 2, 3, 4 }, seed: 2),
        };
        var path = PathOf("all.safetensors");
        Safetensors.Save(tensors, path);
        var loaded = Safetensors.Load(path);
        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(dtype, loaded[name].dtype);
            Assert.Equal(t.shape, loaded[name].shape);
            Assert.Equal(SafetensorsBits.Bits(t), SafetensorsBits.Bits(loaded[name]));
        }
    }

    [Fact]
    public void Half_precision_special_values_survive()
    {
        using var scope = NewDisposeScope();
        // +0, -0, 1, -2, +inf, -inf, a quiet NaN with a payload, the smallest subnormal, the largest finite.
        ushort[] f16 = { 0x0000, 0x8000, 0x3C00, 0xC000, 0x7C00, 0xFC00, 0x7E01, 0x0001, 0x7BFF };
        ushort[] bf16 = { 0x0000, 0x8000, 0x3F80, 0xC000, 0x7F80, 0xFF80, 0x7FC1, 0x0001, 0x7F7F };
        var tensors = new Dictionary<string, Tensor>
        {
            ["f16"] = SafetensorsBits.FromBits(float16, new long[] { 9 }, f16.SelectMany(BitConverter.GetBytes).ToArray()),
            ["bf16"] = SafetensorsBits.FromBits(bfloat16, new long[] { 9 }, bf16.SelectMany(BitConverter.GetBytes).ToArray()),
        };
        var path = PathOf("half.safetensors");
        torch.save(tensors, path);
        var loaded = torch.load(path);
        Assert.Equal(f16, loaded["f16"].data<ushort>());
        Assert.Equal(bf16, loaded["bf16"].data<ushort>());
        Assert.Equal(1.0, loaded["bf16"].select(0, 2).ToDouble());
    }

    [Fact]
    public void File_layout_follows_the_format()
    {
        using var scope = NewDisposeScope();
        var path = PathOf("layout.safetensors");
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" };
        Safetensors.Save(new Dictionary<string, Tensor>
        {
            ["b"] = arange(3, dtype: int64),
            ["a.weight"] = ones(new long[] { 2, 2 }),
            ["ω"] = tensor(new short[] { -1 }),
        }, path, metadata);

        var bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, n % 8);                                     // data section starts 8-aligned
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.InRange(header.Length - header.TrimEnd(' ').Length, 0, 7);   // padded with at most 7 spaces
        using var doc = JsonDocument.Parse(header);
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "__metadata__", "a.weight", "b", "ω" }, names);   // metadata first, then names sorted
        var a = doc.RootElement.GetProperty("a.weight");
        Assert.Equal("F32", a.GetProperty("dtype").GetString());
        Assert.Equal(new long[] { 0, 16 }, a.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(new long[] { 16, 40 }, doc.RootElement.GetProperty("b").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(8 + n + 16 + 24 + 2, bytes.Length);

        Safetensors.Load(path, out var back);
        Assert.Equal(metadata, back);
        var info = Safetensors.ReadHeader(path);
        Assert.Equal(new[] { "a.weight", "b", "ω" }, info.entries.Select(e => e.name));
        Assert.Equal(8 + n, info.dataStart);
    }

    [Fact]
    public void Views_are_saved_in_their_logical_row_major_order()
    {
        using var scope = NewDisposeScope();
        var m = arange(6, dtype: float32).reshape(2, 3);
        var path = PathOf("view.safetensors");
        Safetensors.Save(new Dictionary<string, Tensor> { ["t"] = m.t(), ["col"] = m.select(1, 1) }, path);
        var loaded = Safetensors.Load(path);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, loaded["t"].data<float>());
        Assert.Equal(new long[] { 3, 2 }, loaded["t"].shape);
        Assert.Equal(new float[] { 1, 4 }, loaded["col"].data<float>());
    }

    [Fact]
    public void Saving_replaces_atomically_and_a_failed_save_leaves_the_old_file()
    {
        using var scope = NewDisposeScope();
        var path = PathOf("model.safetensors");
        Safetensors.Save(new Dictionary<string, Tensor> { ["x"] = ones(new long[] { 2 }) }, path);
        Safetensors.Save(new Dictionary<string, Tensor> { ["y"] = zeros(new long[] { 3 }) }, path);
        Assert.Equal(new[] { "y" }, Safetensors.Load(path).Keys);

        var bad = new Dictionary<string, Tensor> { ["z"] = zeros(new long[] { 2 }, dtype: ScalarType.ComplexFloat32) };
        var e = Assert.Throws<ArgumentException>(() => Safetensors.Save(bad, path));
        TensorAssert.MessageMentions(e, "'z'", "complex64");
        var reserved = new Dictionary<string, Tensor> { ["__metadata__"] = ones(new long[] { 1 }) };
        TensorAssert.MessageMentions(Assert.Throws<ArgumentException>(() => Safetensors.Save(reserved, path)), "reserved");

        Assert.Equal(new[] { "y" }, Safetensors.Load(path).Keys);
        Assert.Equal(new[] { "model.safetensors" }, dir.GetFiles().Select(f => f.Name));   // no temporary files left behind
    }

    [Fact]
    public void Loaded_tensors_belong_to_the_callers_dispose_scope()
    {
        var path = PathOf("scope.safetensors");
        using (var s = NewDisposeScope()) Safetensors.Save(new Dictionary<string, Tensor> { ["x"] = ones(new long[] { 2 }) }, path);
        Tensor x;
        using (var s = NewDisposeScope())
        {
            x = Safetensors.Load(path)["x"];
            Assert.Equal(1, s.Count);
        }
        Assert.True(x.IsDisposed);
    }

    [CudaFact]
    public void Cuda_tensors_save_from_and_load_onto_the_device()
    {
        using var scope = NewDisposeScope();
        var src = SafetensorsBits.RandomBits(bfloat16, new long[] { 4, 4 }, seed: 5);
        var path = PathOf("cuda.safetensors");
        Safetensors.Save(new Dictionary<string, Tensor> { ["w"] = src.cuda() }, path);
        var loaded = Safetensors.Load(path, CUDA);
        Assert.True(loaded["w"].is_cuda);
        Assert.Equal(SafetensorsBits.Bits(src), SafetensorsBits.Bits(loaded["w"].cpu()));
    }
}
