using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Layers;

/// <summary>
/// How a model knows token order. Learned and Sinusoidal are added to the input embeddings;
/// Rotary (Su et al. 2021) rotates queries and keys; ALiBi (Press et al. 2022) biases attention
/// scores by distance. None leaves the model order-blind (an ablation point).
/// </summary>
public enum PositionKind { None, Learned, Sinusoidal, Rotary, ALiBi }

/// <summary>Which key positions a query may see, besides the causal rule.</summary>
public enum AttentionPattern
{
    /// <summary>Every position.</summary>
    Dense,
    /// <summary>Sliding window: |i - j| &lt; Window.</summary>
    Local,
    /// <summary>Own block of Window positions, plus the last ("summary") position of every block (Child et al. 2019, fixed pattern).</summary>
    BlockSparse,
    /// <summary>The Window nearest positions plus every Window-th one (Child et al. 2019, strided pattern).</summary>
    Strided,
}

/// <summary>Adds learned or sinusoidal position vectors to (B, L, D) embeddings; the identity for other kinds.</summary>
public sealed class PositionalEmbedding : Module<Tensor, Tensor>
{
    public readonly Tensor? table;
    public PositionKind Kind { get; }
    public long MaxLen { get; }

    public PositionalEmbedding(PositionKind kind, long max_len, long dim)
    {
        Kind = kind;
        MaxLen = max_len;
        if (kind == PositionKind.Learned) table = register_parameter("weight", init.normal_(empty(max_len, dim), 0, 0.02));
        else if (kind == PositionKind.Sinusoidal) table = register_buffer("table", Positions.Sinusoidal(max_len, dim), persistent: false);
    }

    public override Tensor forward(Tensor x)
    {
        if (table is null) return x.alias();
        long len = x.size(-2);
        if (len > MaxLen) throw new ArgumentException($"sequence length {len} exceeds the positional table's {MaxLen}");
        using var rows = table.narrow(0, 0, len);
        return x + rows;
    }

    protected override string ExtraRepr() => $"{Kind}, max_len={MaxLen}";
}

/// <summary>Position tables and attention biases as plain functions.</summary>
public static class Positions
{
    /// <summary>Vaswani et al.'s table: PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(same).</summary>
    public static Tensor Sinusoidal(long max_len, long dim, double @base = 10000)
    {
        var data = new float[max_len * dim];
        for (long p = 0; p < max_len; p++)
            for (long i = 0; i < dim; i += 2)
            {
                double angle = p / Math.Pow(@base, (double)i / dim);
                data[p * dim + i] = (float)Math.Sin(angle);
                if (i + 1 < dim) data[p * dim + i + 1] = (float)Math.Cos(angle);
            }
        return tensor(data, new[] { max_len, dim });
    }

    /// <summary>
    /// Rotary cos and sin tables (max_len, head_dim), halves repeated to match rotate-half. Computed in
    /// double and rounded once to <paramref name="dtype"/>, so float64 models get float64-accurate angles.
    /// </summary>
    public static (Tensor cos, Tensor sin) RotaryTables(long max_len, long head_dim, double @base = 10000, ScalarType dtype = ScalarType.Float32)
    {
        if (head_dim % 2 != 0) throw new ArgumentException($"rotary positions need an even head dimension, got {head_dim}");
        long half = head_dim / 2;
        var cos = new double[max_len * head_dim];
        var sin = new double[max_len * head_dim];
        for (long p = 0; p < max_len; p++)
            for (long i = 0; i < half; i++)
            {
                double angle = p * Math.Pow(@base, -2.0 * i / head_dim);
                cos[p * head_dim + i] = cos[p * head_dim + i + half] = Math.Cos(angle);
                sin[p * head_dim + i] = sin[p * head_dim + i + half] = Math.Sin(angle);
            }
        return (tensor(cos, new[] { max_len, head_dim }, dtype), tensor(sin, new[] { max_len, head_dim }, dtype));
    }

    /// <summary>x * cos + rotate_half(x) * sin for x (..., L, head_dim), with rotate_half([a, b]) = [-b, a].</summary>
    public static Tensor ApplyRotary(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var halves = x.chunk(2, -1);
        var rotated = cat(new[] { halves[1].neg(), halves[0] }, -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }

    /// <summary>ALiBi head slopes: the geometric sequence 2^(-8/H), 2^(-16/H), ... (interleaved as in the paper when H is not a power of two).</summary>
    public static double[] AlibiSlopes(int heads)
    {
        static double[] PowerOfTwo(int n) => Enumerable.Range(1, n).Select(i => Math.Pow(2, -8.0 * i / n)).ToArray();
        int closest = 1 << (int)Math.Floor(Math.Log2(heads));
        if (closest == heads) return PowerOfTwo(heads);
        var extra = PowerOfTwo(2 * closest).Where((_, i) => i % 2 == 0).Take(heads - closest);
        return PowerOfTwo(closest).Concat(extra).ToArray();
    }

    /// <summary>
    /// Whether query i (of l) may see key j (of s). Queries are aligned to the end of the keys, so
    /// with l == s position i is i, and with a shorter query block it continues the keys (as tril(s - l)).
    /// </summary>
    public static bool Visible(long i, long j, long l, long s, bool causal, AttentionPattern pattern, long window)
    {
        long qi = i + (s - l), distance = qi - j;
        if (causal && distance < 0) return false;
        return pattern switch
        {
            AttentionPattern.Dense => true,
            AttentionPattern.Local => Math.Abs(distance) < window,
            AttentionPattern.BlockSparse => qi / window == j / window || j % window == window - 1,
            AttentionPattern.Strided => Math.Abs(distance) < window || distance % window == 0,
            _ => throw new ArgumentOutOfRangeException(nameof(pattern)),
        };
    }

    /// <summary>
    /// The additive attention bias (1 or H, l, s): 0 where visible, -inf where masked, minus
    /// slope_h * |i - j| with ALiBi, computed in double and rounded once to <paramref name="dtype"/>.
    /// Null when nothing is masked or biased.
    /// </summary>
    public static Tensor? AttentionBias(long l, long s, int heads, bool causal, AttentionPattern pattern, long window, bool alibi,
        ScalarType dtype = ScalarType.Float32)
    {
        if (!causal && pattern == AttentionPattern.Dense && !alibi) return null;
        if (pattern != AttentionPattern.Dense && window <= 0) throw new ArgumentException($"the {pattern} attention pattern needs a positive window, got {window}");
        var slopes = alibi ? AlibiSlopes(heads) : new[] { 0.0 };
        var data = new double[slopes.Length * l * s];
        for (int h = 0; h < slopes.Length; h++)
            for (long i = 0; i < l; i++)
                for (long j = 0; j < s; j++)
                    data[(h * l + i) * s + j] = Visible(i, j, l, s, causal, pattern, window)
                        ? -slopes[h] * Math.Abs(i + (s - l) - j)
                        : double.NegativeInfinity;
        return tensor(data, new[] { slopes.Length, l, s }, dtype);
    }
}
