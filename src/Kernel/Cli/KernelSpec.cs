using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Jupyter;

namespace ArchNotebooks.Kernel.Cli;

/// <summary>The kernelspec directory: kernel.json (argv, display name, language, interrupt_mode message) and logos.</summary>
internal static class KernelSpec
{
    public static string Install(string kernelsDir, string name)
    {
        var dir = Path.Combine(kernelsDir, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "kernel.json"), KernelJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.WriteAllText(Path.Combine(dir, "logo-svg.svg"), LogoSvg);
        File.WriteAllBytes(Path.Combine(dir, "logo-32x32.png"), LogoPng(32));
        File.WriteAllBytes(Path.Combine(dir, "logo-64x64.png"), LogoPng(64));
        return dir;
    }

    /// <summary>argv starts this very build: the apphost, or dotnet + archnb.dll when run through dotnet.</summary>
    public static JsonObject KernelJson()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var dll = Path.Combine(AppContext.BaseDirectory, "archnb.dll");
        var argv = Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? new JsonArray(process, dll, "kernel", "-f", "{connection_file}")
            : new JsonArray(process, "kernel", "-f", "{connection_file}");
        var env = new JsonObject();
        foreach (var variable in new[] { "ARCHNB_TORCH_NATIVE", "DOTNET_ROOT" })
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value) env[variable] = value;
        return new JsonObject
        {
            ["argv"] = argv,
            ["display_name"] = KernelInfo.DisplayName,
            ["language"] = KernelInfo.Language,
            ["interrupt_mode"] = "message",
            ["env"] = env,
            ["metadata"] = new JsonObject { ["debugger"] = false },
        };
    }

    private const string LogoSvg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
          <rect width="64" height="64" rx="12" fill="#512bd4"/>
          <path d="M14 46 L26 18 L38 46" fill="none" stroke="#fff" stroke-width="5" stroke-linejoin="round"/>
          <path d="M42 24 h10 M42 32 h10 M45 20 v16 M49 20 v16" stroke="#fff" stroke-width="3"/>
        </svg>
        """;

    /// <summary>A small PNG drawn in code (purple tile, white "A" chevron), so the spec needs no binary files in the repo.</summary>
    private static byte[] LogoPng(int size)
    {
        var raw = new byte[size * (1 + size * 4)];
        for (int y = 0; y < size; y++)
        {
            raw[y * (1 + size * 4)] = 0; // filter: none
            for (int x = 0; x < size; x++)
            {
                double u = (x + 0.5) / size, v = (y + 0.5) / size;
                bool stroke = v > 0.28 && v < 0.72 && Math.Abs(Math.Abs(u - 0.5) - (v - 0.28) * 0.55) < 0.05;
                var (r, g, b) = stroke ? (255, 255, 255) : (0x51, 0x2b, 0xd4);
                int o = y * (1 + size * 4) + 1 + x * 4;
                raw[o] = (byte)r; raw[o + 1] = (byte)g; raw[o + 2] = (byte)b; raw[o + 3] = 255;
            }
        }
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, size);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), size);
        header[8] = 8; header[9] = 6; // 8-bit RGBA
        Chunk(png, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
            Chunk(png, "IDAT", compressed.ToArray());
        }
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        Span<byte> word = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(typeBytes);
        png.Write(data);
        var crc = Crc32([.. typeBytes, .. data]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        png.Write(word);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
