namespace ArchNotebooks.Library.Layers;

/// <summary>
/// Which scores sparse attention computes for one pattern, window and sequence length. Queries are cut into
/// blocks of Window positions (the last block padded); each query scores a row of keys made of up to three
/// parts, and one softmax runs over the whole row:
/// <list type="bullet">
/// <item>the band: a run of keys around its block (Local and Strided: every key within Window - 1 of the
/// block; BlockSparse: the block itself), taken with unfold, so no gather;</item>
/// <item>summaries (BlockSparse): the last position of every block;</item>
/// <item>strides (Strided): the keys a multiple of Window away, found by regrouping queries and keys by
/// position mod Window.</item>
/// </list>
/// A key reachable through two parts is kept in the band only, and everything the pattern hides is -inf, so
/// each row's softmax equals the masked dense one. Rows past the sequence end keep every entry: they are
/// dropped after the product, and a row with no finite score would put NaN into the gradients.
/// </summary>
public sealed class SparseAttentionLayout
{
    public AttentionPattern Pattern { get; }
    public long Window { get; }
    public bool Causal { get; }
    /// <summary>Sequence length (queries and keys alike: self-attention).</summary>
    public long Length { get; }
    /// <summary>Query blocks of Window positions, the last one padded.</summary>
    public long Blocks { get; }
    /// <summary>The first band key of block b is b·Window - BandStart.</summary>
    public long BandStart { get; }
    public long BandWidth { get; }
    /// <summary>Block summary keys scored by every query (BlockSparse), else 0.</summary>
    public long Summaries { get; }
    /// <summary>Keys scored per query along its stride (Strided), else 0.</summary>
    public long Strides { get; }

    /// <summary>Scores computed per query row, masked ones included: the cost, whatever the pattern keeps.</summary>
    public long KeysPerQuery => BandWidth + Summaries + Strides;
    public long PaddedLength => Blocks * Window;
    /// <summary>Scores computed per batch element and head (padded rows included); dense attention computes Length².</summary>
    public double ScoreEntries => (double)PaddedLength * KeysPerQuery;
    /// <summary>Whether the blocked computation scores fewer entries than dense attention; short sequences do not gain.</summary>
    public bool Pays => ScoreEntries < (double)Length * Length;

    bool[]? keep;

    public SparseAttentionLayout(AttentionPattern pattern, long window, bool causal, long length)
    {
        if (pattern == AttentionPattern.Dense) throw new ArgumentException("dense attention has no sparse layout");
        if (window <= 0) throw new ArgumentException($"the {pattern} attention pattern needs a positive window, got {window}");
        if (length <= 0) throw new ArgumentException($"sparse attention needs a non-empty sequence, got length {length}");
        Pattern = pattern; Window = window; Causal = causal; Length = length;
        Blocks = (length + window - 1) / window;
        if (pattern == AttentionPattern.BlockSparse)
        {
            (BandStart, BandWidth) = (0, window);
            Summaries = length / window;     // positions window-1, 2·window-1, ... that exist
        }
        else
        {
            // Queries b·w .. b·w+w-1 see keys from b·w-(w-1) to b·w+w-1+(w-1), or to b·w+w-1 when causal.
            BandStart = window - 1;
            BandWidth = causal ? 2 * window - 1 : 3 * window - 2;
            if (pattern == AttentionPattern.Strided) Strides = Blocks;
        }
    }

    /// <summary>
    /// The key position scored at column t of query row r in block b (-1 or ≥ Length for padding).
    /// Columns run band, then summaries, then strides.
    /// </summary>
    public long KeyAt(long b, long r, long t)
    {
        if (t < BandWidth) return b * Window - BandStart + t;
        t -= BandWidth;
        if (t < Summaries) return t * Window + Window - 1;
        return (t - Summaries) * Window + r;
    }

    bool InBand(long b, long j) => j - (b * Window - BandStart) is var t && t >= 0 && t < BandWidth;

    /// <summary>Whether query row r of block b keeps column t: (Blocks, Window, KeysPerQuery) flattened.</summary>
    public bool[] Keep => keep ??= BuildKeep();

    bool[] BuildKeep()
    {
        long n = KeysPerQuery;
        var mask = new bool[PaddedLength * n];
        for (long b = 0; b < Blocks; b++)
            for (long r = 0; r < Window; r++)
            {
                long qi = b * Window + r, row = qi * n;
                for (long t = 0; t < n; t++)
                {
                    long j = KeyAt(b, r, t);
                    mask[row + t] = qi >= Length
                        || (j >= 0 && j < Length && (t < BandWidth || !InBand(b, j))
                            && Positions.Visible(qi, j, Length, Length, Causal, Pattern, Window));
                }
            }
        return mask;
    }
}
