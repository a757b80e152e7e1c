using System.Runtime.InteropServices;

namespace ArchNotebooks.Library.Tasks;

/// <summary>
/// SplitMix64: a small, fast generator whose stream depends only on its seed, on every platform and
/// .NET version (System.Random's seeded stream is an implementation detail). Tasks draw their data
/// from it on the CPU, so the same seed gives the same batch on any device.
/// </summary>
public sealed class Rng
{
    ulong state;

    public Rng(long seed) => state = (ulong)seed;

    public ulong NextULong()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, n), without modulo bias (Lemire's multiply-and-reject).</summary>
    public int Next(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "the range must be positive");
        ulong range = (ulong)n;
        while (true)
        {
            ulong x = NextULong() >> 32;
            ulong m = x * range;
            if ((uint)m >= (uint)((0x1_0000_0000UL - range) % range)) return (int)(m >> 32);
        }
    }

    /// <summary>Uniform in [low, high).</summary>
    public int Next(int low, int high) => low + Next(high - low);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box-Muller; one draw per call keeps the stream simple to reason about).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public bool NextBool() => (NextULong() >> 63) != 0;

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Mixes several integers into one well-spread seed (for independent streams such as "seed 3, step 17").</summary>
    public static long Mix(params long[] parts)
    {
        ulong h = 0x243F6A8885A308D3UL;
        foreach (var p in parts) h = Finalize(h ^ ((ulong)p + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2)));
        return (long)h;
    }

    /// <summary>A 64-bit hash of raw bytes (FNV-1a, then a SplitMix finalizer to spread low bits).</summary>
    public static ulong Hash<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (var b in MemoryMarshal.AsBytes(values)) h = (h ^ b) * 0x100000001B3UL;
        return Finalize(h);
    }

    /// <summary>A stable hash of a name (string.GetHashCode is randomised per process).</summary>
    public static long HashName(string name) => (long)Hash<char>(name.AsSpan());

    static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
