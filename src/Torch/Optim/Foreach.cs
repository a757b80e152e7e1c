using ArchNotebooks.Torch.Interop;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Optim;

/// <summary>
/// ATen's multi-tensor (_foreach_*) kernels. One call updates a whole parameter list, so an
/// optimizer step costs a handful of native calls per group instead of several per parameter.
/// On CPU each runs the same per-tensor kernel PyTorch's single-tensor optimizers use, so the
/// numbers are identical; on CUDA they fuse into few launches.
/// </summary>
internal static class Foreach
{
    static readonly Op mulScalar_ = new("_foreach_mul_", "Scalar"), mulList_ = new("_foreach_mul_", "List"), mulScalar = new("_foreach_mul", "Scalar");
    static readonly Op addList_ = new("_foreach_add_", "List"), addList = new("_foreach_add", "List"), addScalar_ = new("_foreach_add_", "Scalar");
    static readonly Op divScalar_ = new("_foreach_div_", "Scalar"), addcmulScalar_ = new("_foreach_addcmul_", "Scalar"), addcdivScalar_ = new("_foreach_addcdiv_", "Scalar");
    static readonly Op sqrtOp = new("_foreach_sqrt"), negOp = new("_foreach_neg"), maximumList_ = new("_foreach_maximum_", "List");
    static readonly Op lerpScalar_ = new("_foreach_lerp_", "Scalar");
    static readonly Op normOp = new("_foreach_norm", "Scalar"), zeroOp_ = new("_foreach_zero_"), signOp_ = new("sign_");

    public static void mul_(Tensor[] xs, double s) => mulScalar_.CallVoid(xs, s);
    /// <summary>xs[i] *= ys[i] (broadcasting: ys may repeat one 0-d tensor).</summary>
    public static void mul_(Tensor[] xs, Tensor[] ys) => mulList_.CallVoid(xs, ys);
    public static Tensor[] mul(Tensor[] xs, double s) => mulScalar.CallTensors(xs, s);
    /// <summary>xs[i] += alpha * ys[i].</summary>
    public static void add_(Tensor[] xs, Tensor[] ys, double alpha = 1) =>
        addList_.CallVoid(xs, ys, Arg.Kw("alpha", alpha));
    public static Tensor[] add(Tensor[] xs, Tensor[] ys, double alpha = 1) =>
        addList.CallTensors(xs, ys, Arg.Kw("alpha", alpha));
    public static void add_(Tensor[] xs, double s) => addScalar_.CallVoid(xs, s);
    public static void div_(Tensor[] xs, double s) => divScalar_.CallVoid(xs, s);
    /// <summary>xs[i] += value * a[i] * b[i].</summary>
    public static void addcmul_(Tensor[] xs, Tensor[] a, Tensor[] b, double value) => addcmulScalar_.CallVoid(xs, a, b, value);
    /// <summary>xs[i] += value * a[i] / b[i].</summary>
    public static void addcdiv_(Tensor[] xs, Tensor[] a, Tensor[] b, double value) => addcdivScalar_.CallVoid(xs, a, b, value);
    /// <summary>xs[i] += weight * (ys[i] - xs[i]) (libtorch 2.x; 1.13 has no _foreach_lerp_).</summary>
    public static void lerp_(Tensor[] xs, Tensor[] ys, double weight) => lerpScalar_.CallVoid(xs, ys, weight);
    public static Tensor[] sqrt(Tensor[] xs) => sqrtOp.CallTensors(xs);
    public static Tensor[] neg(Tensor[] xs) => negOp.CallTensors(xs);
    public static void maximum_(Tensor[] xs, Tensor[] ys) => maximumList_.CallVoid(xs, ys);
    public static Tensor[] norm(Tensor[] xs, double ord) => normOp.CallTensors(xs, ord);
    public static void zero_(Tensor[] xs) => zeroOp_.CallVoid(xs);

    // libtorch 1.13 has no _foreach_sign_; one call per tensor.
    public static void sign_(Tensor[] xs)
    {
        foreach (var x in xs) signOp_.CallVoid(x);
    }

    /// <summary>Picks xs[i] for each index (sub-lists for parameters that share a step count).</summary>
    public static Tensor[] Pick(Tensor[] xs, List<int> indices)
    {
        var r = new Tensor[indices.Count];
        for (int i = 0; i < r.Length; i++) r[i] = xs[indices[i]];
        return r;
    }
}
