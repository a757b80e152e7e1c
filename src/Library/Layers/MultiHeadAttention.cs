using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>
/// Multi-head attention written out (Vaswani et al. 2017), self or cross. Parameters use PyTorch's
/// nn.MultiheadAttention names and layout (in_proj_weight (3D, D), in_proj_bias, out_proj), so its
/// weights load directly. Masks (causal, local, block-sparse, strided) and ALiBi become one additive
/// bias; rotary positions rotate q and k. Local, block-sparse and strided self-attention run on the
/// kept blocks only (<see cref="SparseAttention"/>) when that scores fewer entries than dense attention.
/// The post-softmax weights (B, H, L, S) are always offered as the intermediate "weights", so
/// <c>model.capture("**.attn.weights")</c> sees them (for the sparse path they are scattered to the dense
/// shape only while something captures them).
/// </summary>
public sealed class MultiHeadAttention : Module<Tensor, Tensor>
{
    public readonly Tensor in_proj_weight;
    public readonly Tensor? in_proj_bias;
    public readonly Linear out_proj;
    readonly Tensor? cachedBias, rotaryCos, rotarySin;
    SparseAttentionLayout? sparseLayout;   // the last length's, rebuilt when the length changes

    public long Dim { get; }
    public int Heads { get; }
    public long HeadDim => Dim / Heads;
    public bool Causal { get; }
    public AttentionPattern Pattern { get; }
    public long Window { get; }
    public PositionKind Position { get; }
    public long MaxLen { get; }
    public double DropoutP { get; }

    /// <param name="max_len">When positive, masks and rotary tables are built once for this length and sliced; otherwise built per call.</param>
    public MultiHeadAttention(long dim, int heads, bool causal = false, AttentionPattern pattern = AttentionPattern.Dense, long window = 0,
        PositionKind position = PositionKind.None, long max_len = 0, bool bias = true, double dropout = 0)
    {
        if (dim % heads != 0) throw new ArgumentException($"dim {dim} is not divisible by heads {heads}");
        if (pattern != AttentionPattern.Dense && window <= 0) throw new ArgumentException($"the {pattern} pattern needs a positive window");
        Dim = dim; Heads = heads; Causal = causal; Pattern = pattern; Window = window;
        Position = position; MaxLen = max_len; DropoutP = dropout;
        in_proj_weight = register_parameter("in_proj_weight", init.xavier_uniform_(empty(3 * dim, dim)));
        if (bias) in_proj_bias = register_parameter("in_proj_bias", zeros(3 * dim));
        out_proj = register_module("out_proj", new Linear(dim, dim, bias));
        if (bias) init.zeros_(out_proj.bias!);
        if (max_len > 0)
        {
            // A pattern that runs sparsely at max_len would waste max_len² on a dense mask it never uses.
            var b = SparseLayout(max_len) is null ? Positions.AttentionBias(max_len, max_len, heads, causal, pattern, window, position == PositionKind.ALiBi) : null;
            if (b is not null) cachedBias = register_buffer("attn_bias", b, persistent: false);
            if (position == PositionKind.Rotary)
            {
                var (c, s) = Positions.RotaryTables(max_len, HeadDim);
                rotaryCos = register_buffer("rotary_cos", c, persistent: false);
                rotarySin = register_buffer("rotary_sin", s, persistent: false);
            }
        }
    }

    /// <summary>Self-attention over x (B, L, D).</summary>
    public override Tensor forward(Tensor x) => Attend(x, null, null);

    /// <summary>Cross-attention: queries from x (B, L, D), keys and values from context (B, S, D); runs hooks like call(x).</summary>
    public Tensor call(Tensor x, Tensor context, Tensor? mask = null)
    {
        return (Tensor)AfterForward((x, context), Attend(x, context, mask))!;
    }

    /// <summary>Output only; mask is an extra boolean keep-mask or additive bias broadcastable to (B, H, L, S).</summary>
    public Tensor Attend(Tensor x, Tensor? context = null, Tensor? mask = null)
    {
        var (output, weights) = Run(x, context, mask, weightsWanted: false);
        weights?.Dispose();
        return output;
    }

    /// <summary>
    /// Output (B, L, D) and the post-softmax attention weights (B, H, L, S), both in the caller's scope. The
    /// sparse path scatters its weights into that dense shape, so this costs L² memory whatever the pattern.
    /// </summary>
    public (Tensor output, Tensor weights) AttendWithWeights(Tensor x, Tensor? context = null, Tensor? mask = null)
    {
        var (output, weights) = Run(x, context, mask, weightsWanted: true);
        return (output, weights!);
    }

    /// <summary>
    /// The blocks self-attention over <paramref name="length"/> positions computes when it runs sparsely (no
    /// extra mask); null when it runs dense: a dense pattern, or a sequence too short for blocks to pay.
    /// </summary>
    public SparseAttentionLayout? SparseLayout(long length)
    {
        if (Pattern == AttentionPattern.Dense || length <= 0) return null;
        if (sparseLayout?.Length != length) sparseLayout = new SparseAttentionLayout(Pattern, Window, Causal, length);
        return sparseLayout.Pays ? sparseLayout : null;
    }

    (Tensor output, Tensor? weights) Run(Tensor x, Tensor? context, Tensor? mask, bool weightsWanted)
    {
        using var scope = NewDisposeScope();
        if (x.dim() != 3 || x.size(2) != Dim) throw new ArgumentException($"attention expects (B, L, {Dim}), got [{string.Join(", ", x.shape)}]");
        long b = x.size(0), l = x.size(1);
        Tensor q, k, v;
        if (context is null)
        {
            var qkv = F.linear(x, in_proj_weight, in_proj_bias).view(b, l, 3, Heads, HeadDim).permute(2, 0, 3, 1, 4).unbind(0);
            (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        }
        else
        {
            var wq = in_proj_weight.narrow(0, 0, Dim);
            var wkv = in_proj_weight.narrow(0, Dim, 2 * Dim);
            q = F.linear(x, wq, in_proj_bias?.narrow(0, 0, Dim)).view(b, l, Heads, HeadDim).transpose(1, 2);
            var kv = F.linear(context, wkv, in_proj_bias?.narrow(0, Dim, 2 * Dim)).view(b, context.size(1), 2, Heads, HeadDim).permute(2, 0, 3, 1, 4).unbind(0);
            (k, v) = (kv[0], kv[1]);
        }
        long s = k.size(2);
        if (Position == PositionKind.Rotary) (q, k) = Rotate(q, k, l, s);
        Tensor o;
        Tensor? weights;
        if (context is null && mask is null && SparseLayout(l) is { } layout)
        {
            var slopes = Position == PositionKind.ALiBi ? Positions.AlibiSlopes(Heads) : null;
            (o, weights) = SparseAttention.Attend(q, k, v, layout, slopes, DropoutP, training, denseWeights: weightsWanted || Captures("weights"));
            if (weights is not null) Intermediate("weights", weights);
        }
        else
        {
            var bias = Bias(l, s, x);
            if (mask is not null) bias = bias is null ? mask : mask.dtype == ScalarType.Bool ? bias.masked_fill(mask.logical_not(), double.NegativeInfinity) : bias + mask;
            (o, weights) = F.scaled_dot_product_attention(q, k, v, bias, DropoutP, training: training);
            Intermediate("weights", weights);
        }
        var merged = o.transpose(1, 2).reshape(b, l, Dim);
        return (out_proj.call(merged).MoveToOuterDisposeScope(), weights?.MoveToOuterDisposeScope());
    }

    // The cached tables were rounded to float32 when built; a float64 model (parity tests, gradcheck)
    // gets tables computed for it instead, or its rotary angles and non-power-of-two ALiBi slopes
    // would carry float32 error (about 1e-8) into float64 results.
    Tensor? Bias(long l, long s, Tensor like)
    {
        bool alibi = Position == PositionKind.ALiBi;
        bool exact = !alibi || like.dtype != ScalarType.Float64;   // masks alone are 0 and -inf in any precision
        if (cachedBias is not null && l <= MaxLen && s <= MaxLen && exact)
            return cachedBias.narrow(1, s - l, l).narrow(2, 0, s);
        var built = Positions.AttentionBias(l, s, Heads, Causal, Pattern, Window, alibi, like.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32);
        return built is null || (like.dtype is ScalarType.Float32 or ScalarType.Float64 && like.device.type == DeviceType.CPU) ? built : built.to(like.device, like.dtype);
    }

    (Tensor q, Tensor k) Rotate(Tensor q, Tensor k, long l, long s)
    {
        Tensor cos, sin;
        if (rotaryCos is not null && s <= MaxLen && q.dtype != ScalarType.Float64) (cos, sin) = (rotaryCos, rotarySin!);
        else
        {
            var dtype = q.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
            (cos, sin) = Positions.RotaryTables(s, HeadDim, dtype: dtype);
            if (q.dtype != dtype || q.device.type != DeviceType.CPU) (cos, sin) = (cos.to(q.device, q.dtype), sin.to(q.device, q.dtype));
        }
        // Keys sit at 0..s-1; queries at the last l of those positions.
        return (Positions.ApplyRotary(q, cos.narrow(0, s - l, l), sin.narrow(0, s - l, l)),
                Positions.ApplyRotary(k, cos.narrow(0, 0, s), sin.narrow(0, 0, s)));
    }

    protected override string ExtraRepr() =>
        $"dim={Dim}, heads={Heads}" + (Causal ? ", causal" : "") + (Pattern != AttentionPattern.Dense ? $", {Pattern}({Window})" : "") +
        (Position is PositionKind.Rotary or PositionKind.ALiBi ? $", {Position}" : "");
}
