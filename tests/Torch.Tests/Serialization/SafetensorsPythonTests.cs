using ArchNotebooks.Torch.Serialization;
using ArchNotebooks.Torch.Tests.Optimizers;
using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Serialization;

/// <summary>
/// Files cross between C# and an independent reader/writer: reference/safetensors_echo.py parses what C#
/// wrote with json+struct+numpy, sums every tensor, and writes it all back in its own layout for C# to load.
/// </summary>
public sealed class SafetensorsPythonTests : IDisposable
{
    readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("archnb-safetensors-py-");
    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void A_file_from_csharp_reads_in_python_and_pythons_file_reads_back_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var sent = new Dictionary<string, Tensor>();
        foreach (var dt in SafetensorsBits.AllDTypes)
        {
            var name = DTypeName(dt);
            sent[$"bits.{name}"] = SafetensorsBits.RandomBits(dt, new long[] { 3, 4 }, seed: (int)dt + 10);
            // Finite values, so the sums Python reports are comparable.
            sent[$"vals.{name}"] = (randn(new long[] { 5, 2 }) * 20).to(dt);
        }
        sent["scalar"] = tensor(3.25);
        sent["empty"] = zeros(new long[] { 0, 4 }, dtype: int32);
        sent["naïve.ω"] = arange(4, dtype: int16);
        var metadata = new Dictionary<string, string> { ["from"] = "C#", ["step"] = "42" };

        var there = Path.Combine(dir.FullName, "from_csharp.safetensors");
        var back = Path.Combine(dir.FullName, "from_python.safetensors");
        Safetensors.Save(sent, there, metadata);
        Reference.Run("safetensors_echo.py", there, back);

        var received = Safetensors.Load(back, out var backMetadata);
        Assert.Equal("C#", backMetadata["from"]);
        Assert.Equal("42", backMetadata["step"]);
        Assert.Equal(sent.Count.ToString(), backMetadata["python_count"]);
        foreach (var (name, t) in sent)
        {
            var echoed = received[name];
            Assert.Equal(t.dtype, echoed.dtype);
            Assert.Equal(t.shape, echoed.shape);
            Assert.True(SafetensorsBits.Bits(t).SequenceEqual(SafetensorsBits.Bits(echoed)), $"{name} changed on the way through Python");
            if (name.StartsWith("bits.", StringComparison.Ordinal)) continue;
            double ours = t.to(float64).sum().ToDouble(), theirs = received["sum." + name].ToDouble();
            Assert.True(Math.Abs(ours - theirs) <= 1e-9 * (1 + Math.Abs(ours)), $"{name}: Python read values summing to {theirs}, C# wrote {ours}");
        }
        // Python's writer orders tensors by reverse name: C# found them by offsets, not by position.
        Assert.Equal(sent.Keys.Order(StringComparer.Ordinal).Reverse().First(),
            Safetensors.ReadHeader(back).entries.First(e => !e.name.StartsWith("sum.", StringComparison.Ordinal)).name);
    }
}
