using System.Text;
using ArchNotebooks.Torch.Serialization;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Serialization;

/// <summary>Damaged or hostile files: each is refused with an InvalidDataException that names the problem; none reaches libtorch.</summary>
public sealed class SafetensorsCorruptTests : IDisposable
{
    readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("archnb-safetensors-bad-");
    public void Dispose() => dir.Delete(recursive: true);

    /// <summary>A file with this header text and this many data bytes (zeros), optionally lying about the header length.</summary>
    static byte[] File(string header, int dataBytes, ulong? claimedLength = null) =>
        File(Encoding.UTF8.GetBytes(header), dataBytes, claimedLength);

    static byte[] File(byte[] header, int dataBytes, ulong? claimedLength = null)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BitConverter.GetBytes(claimedLength ?? (ulong)header.Length).CopyTo(bytes, 0);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    static string T(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    public static TheoryData<string, byte[], string> Cases()
    {
        var good = T("x", "F32", "[2]", 0, 8);
        var boolFile = File("{" + T("m", "BOOL", "[3]", 0, 3) + "}", 3);
        boolFile[^2] = 7;
        return new()
        {
            { "empty file", Array.Empty<byte>(), "too short" },
            { "cut inside the length", new byte[] { 16, 0, 0 }, "too short" },
            { "header cut short", File("{" + good + "}", 8)[..20], "only 12 follow" },
            { "absurd header length", File("{}", 0, ulong.MaxValue), "truncated" },
            { "not JSON", File("{\"x\": oops}", 0), "not valid UTF-8 JSON" },
            { "invalid UTF-8", File(new byte[] { (byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, 0), "UTF-8" },
            { "header is an array", File("[1, 2]", 0), "not an object" },
            { "entry is a number", File("{\"x\": 5}", 0), "'x' is described by a JSON Number" },
            { "unknown dtype", File("{" + T("x", "F17", "[2]", 0, 8) + "}", 8), "unknown dtype 'F17'" },
            { "dtype libtorch lacks", File("{" + T("x", "U16", "[4]", 0, 8) + "}", 8), "U16" },
            { "no dtype", File("{\"x\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "'x' has no dtype" },
            { "no shape", File("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "no shape array" },
            { "negative dimension", File("{" + T("x", "F32", "[-2]", 0, 8) + "}", 8), "not a non-negative integer" },
            { "fractional dimension", File("{" + T("x", "F32", "[1.5]", 0, 8) + "}", 8), "1.5" },
            { "three offsets", File("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", 8), "[begin, end]" },
            { "offsets reversed", File("{" + T("x", "F32", "[0]", 8, 4) + "}", 8), "end before they begin" },
            { "offsets past the data", File("{" + T("x", "F32", "[4]", 0, 16) + "}", 8), "run past the 8-byte data section" },
            { "shape and size disagree", File("{" + T("x", "F32", "[3]", 0, 8) + "}", 8), "needs 12 bytes, but data_offsets span 8" },
            { "impossibly large shape", File("{" + T("x", "F32", "[4611686018427387904, 8]", 0, 8) + "}", 8), "impossibly large" },
            { "overlapping tensors", File("{" + T("a", "F32", "[2]", 0, 8) + "," + T("b", "F32", "[2]", 4, 12) + "}", 12), "overlap" },
            { "a gap between tensors", File("{" + T("a", "F32", "[1]", 0, 4) + "," + T("b", "F32", "[1]", 8, 12) + "}", 12), "gap" },
            { "trailing bytes", File("{" + good + "}", 12), "trailing bytes" },
            { "the same name twice", File("{" + good + "," + good + "}", 8), "'x' twice" },
            { "metadata not an object", File("{\"__metadata__\": [\"a\"], " + good + "}", 8), "__metadata__ must be an object" },
            { "metadata value not a string", File("{\"__metadata__\": {\"epoch\": 3}, " + good + "}", 8), "must be strings" },
            { "bool byte not 0 or 1", boolFile, "not 0 or 1" },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Damaged_file_is_refused_with_a_clear_message(string what, byte[] contents, string fragment)
    {
        var path = Path.Combine(dir.FullName, "bad.safetensors");
        System.IO.File.WriteAllBytes(path, contents);
        using var scope = NewDisposeScope();
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(path));
        Assert.True(e.Message.Contains(fragment, StringComparison.Ordinal), $"{what}: message does not mention \"{fragment}\": {e.Message}");
        Assert.StartsWith(path, e.Message);
        Assert.Equal(0, scope.Count);   // nothing half-loaded is left behind
    }

    [Fact]
    public void A_valid_hand_written_file_with_padding_and_an_empty_tensor_loads()
    {
        var header = "{\"__metadata__\":{\"k\":\"v\"}," + T("x", "F32", "[2]", 0, 8) + "," + T("e", "I64", "[0, 5]", 8, 8) + "}";
        header += new string(' ', (8 - header.Length % 8) % 8);
        var bytes = File(header, 8);
        BitConverter.GetBytes(1.5f).CopyTo(bytes, bytes.Length - 8);
        BitConverter.GetBytes(-2f).CopyTo(bytes, bytes.Length - 4);
        var path = Path.Combine(dir.FullName, "good.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        using var scope = NewDisposeScope();
        var loaded = Safetensors.Load(path, out var metadata);
        Assert.Equal(new[] { 1.5f, -2f }, loaded["x"].data<float>());
        Assert.Equal(new long[] { 0, 5 }, loaded["e"].shape);
        Assert.Equal("v", metadata["k"]);
    }

    [Fact]
    public void A_missing_file_says_so()
    {
        Assert.Throws<FileNotFoundException>(() => Safetensors.Load(Path.Combine(dir.FullName, "nope.safetensors")));
    }
}
