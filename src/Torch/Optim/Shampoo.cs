using ArchNotebooks.Torch.Interop;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Optim;

/// <summary>
/// Shampoo (Gupta, Koren and Singer 2018, "Shampoo: Preconditioned Stochastic Tensor Optimization"):
/// for an order-k gradient G, one statistic per dimension, H_d = eps*I + sum of G_(d) G_(d)^T (G unfolded
/// along d), and the step uses G contracted with H_d^(-1/2k) along every dimension d. For a matrix that
/// is H_0^(-1/4) G H_1^(-1/4). Dimensions longer than block_size are cut into blocks, each with its own
/// statistics (a block-diagonal preconditioner, as large-scale Shampoo does), so no matrix is larger
/// than block_size^2. The inverse roots, an eigendecomposition each, are recomputed on the first step
/// and every update_freq steps after; in between the statistics still grow and the stale roots are used.
/// Statistics and roots are kept in float64 whatever the parameter's dtype: roots of ill-conditioned
/// float32 matrices lose most of their digits. Not in PyTorch; tests compare with a numpy reference.
/// </summary>
public sealed class Shampoo : Optimizer<Shampoo.Group, Shampoo.State>
{
    /// <summary>Shampoo's hyperparameters for one group.</summary>
    public sealed record Group : ParamGroup
    {
        /// <summary>Heavy-ball momentum on the preconditioned gradient (0: none).</summary>
        public double momentum { get; set; }
        /// <summary>The statistics start at eps*I; it bounds the roots while few gradients have been seen.</summary>
        public double eps { get; set; } = 1e-4;
        public bool maximize { get; set; }
        /// <summary>Recompute the inverse roots every this many steps of a parameter.</summary>
        public int update_freq { get; init; } = 1;
        /// <summary>Longest side of one preconditioned block.</summary>
        public int block_size { get; init; } = 128;

        internal override void Validate()
        {
            base.Validate();
            if (!(momentum >= 0 && momentum < 1)) throw new ArgumentException($"invalid momentum value: {momentum}");
            if (!(eps > 0)) throw new ArgumentException($"invalid epsilon value: {eps} (Shampoo's statistics need eps > 0 to be invertible)");
            if (update_freq <= 0) throw new ArgumentException($"update_freq must be positive, got {update_freq}");
            if (block_size <= 0) throw new ArgumentException($"block_size must be positive, got {block_size}");
        }
    }

    /// <summary>
    /// Per block b and dimension d, the statistic "block.{b}.stats.{d}" and its inverse root
    /// "block.{b}.root.{d}" (float64), and the momentum buffer.
    /// </summary>
    public sealed class State : ParameterState
    {
        internal readonly SortedDictionary<string, Tensor> matrices = new(StringComparer.Ordinal);
        public Tensor? momentum_buffer;

        public override IEnumerable<(string, Tensor)> Tensors()
        {
            foreach (var (name, t) in matrices) yield return (name, t);
            if (momentum_buffer is not null) yield return ("momentum_buffer", momentum_buffer);
        }

        protected override ScalarType StateDtype(string name, Tensor parameter) =>
            name.StartsWith("block.", StringComparison.Ordinal) ? float64 : parameter.dtype;

        protected override bool LoadTensor(string name, Tensor value)
        {
            if (name == "momentum_buffer") { momentum_buffer?.Dispose(); momentum_buffer = value; return true; }
            var parts = name.Split('.');
            if (parts.Length != 4 || parts[0] != "block" || parts[2] is not ("stats" or "root")) return false;
            if (matrices.Remove(name, out var old)) old.Dispose();
            matrices[name] = value;
            return true;
        }

        public override void Dispose()
        {
            foreach (var t in matrices.Values) t.Dispose();
            matrices.Clear();
            momentum_buffer?.Dispose();
            momentum_buffer = null;
        }
    }

    static readonly Op eighOp = new("linalg_eigh");

    public Shampoo(IEnumerable<Tensor> parameters, double lr = 1e-1, double momentum = 0, double weight_decay = 0,
        double eps = 1e-4, int update_freq = 1, int block_size = 128, bool maximize = false)
        : base(parameters, new Group
        {
            lr = lr, momentum = momentum, weight_decay = weight_decay, eps = eps,
            update_freq = update_freq, block_size = block_size, maximize = maximize,
        })
    {
    }

    public override void step() => StepGroups(group =>
    {
        var (ps, grads, states) = WithGradients(group);
        for (int i = 0; i < ps.Length; i++)
        {
            using var scope = NewDisposeScope();
            states[i].step++;
            Update(group, ps[i], grads[i], states[i]);
        }
    });

    static void Update(Group group, Tensor p, Tensor grad, State s)
    {
        var g = group.maximize ? grad.neg() : grad;
        if (group.weight_decay != 0) g = g.add(p, group.weight_decay);
        // A scalar is a vector of one: its statistic is a 1x1 matrix (AdaGrad on one number).
        var shape = p.dim() == 0 ? new long[] { 1 } : p.shape;
        var g64 = g.to(float64).reshape(shape);
        var direction = zeros(shape, float64, p.device);
        bool refresh = (s.step - 1) % group.update_freq == 0;
        int k = shape.Length;
        int b = 0;
        foreach (var (starts, lengths) in Blocks(shape, group.block_size))
        {
            var block = Narrow(g64, starts, lengths);
            var preconditioned = block;
            for (int d = 0; d < k; d++)
            {
                var unfolded = block.movedim(d, 0).reshape(lengths[d], -1);
                var stats = s.matrices.TryGetValue($"block.{b}.stats.{d}", out var st) ? st
                    : s.matrices[$"block.{b}.stats.{d}"] = Keep(eye(lengths[d], dtype: float64, device: p.device).mul_(group.eps));
                stats.add_(unfolded.matmul(unfolded.t()));
                if (refresh || !s.matrices.ContainsKey($"block.{b}.root.{d}"))
                {
                    if (s.matrices.Remove($"block.{b}.root.{d}", out var old)) old.Dispose();
                    s.matrices[$"block.{b}.root.{d}"] = Keep(InverseRoot(stats, 2 * k));
                }
                preconditioned = ModeProduct(preconditioned, s.matrices[$"block.{b}.root.{d}"], d);
            }
            Narrow(direction, starts, lengths).copy_(preconditioned);
            b++;
        }
        var update = direction.reshape(p.shape).to(p.dtype);
        if (group.momentum != 0)
        {
            if (s.momentum_buffer is null) s.momentum_buffer = Keep(update.clone());
            else s.momentum_buffer.mul_(group.momentum).add_(update);
            update = s.momentum_buffer;
        }
        p.add_(update, -group.lr);
    }

    /// <summary>H^(-1/root) for a symmetric positive definite H, from its eigendecomposition.</summary>
    internal static Tensor InverseRoot(Tensor h, int root)
    {
        var pair = eighOp.CallTensors(h);
        var (values, vectors) = (pair[0], pair[1]);
        return vectors.mul(values.pow(-1.0 / root)).matmul(vectors.t());
    }

    /// <summary>x contracted with the symmetric matrix m along dimension d (the n-mode product x ×_d m).</summary>
    static Tensor ModeProduct(Tensor x, Tensor m, int d)
    {
        var moved = x.movedim(d, 0);
        var movedShape = moved.shape;
        return m.matmul(moved.reshape(movedShape[0], -1)).reshape(movedShape).movedim(0, d);
    }

    static Tensor Narrow(Tensor x, long[] starts, long[] lengths)
    {
        for (int d = 0; d < starts.Length; d++) x = x.narrow(d, starts[d], lengths[d]);
        return x;
    }

    /// <summary>The grid of blocks of at most block_size along each dimension, in row-major order.</summary>
    internal static IEnumerable<(long[] starts, long[] lengths)> Blocks(long[] shape, int blockSize)
    {
        var counts = shape.Select(n => (n + blockSize - 1) / blockSize).ToArray();
        long total = counts.Aggregate(1L, (a, c) => a * c);
        for (long index = 0; index < total; index++)
        {
            var starts = new long[shape.Length];
            var lengths = new long[shape.Length];
            long rest = index;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                long j = rest % counts[d];
                rest /= counts[d];
                starts[d] = j * blockSize;
                lengths[d] = Math.Min(blockSize, shape[d] - starts[d]);
            }
            yield return (starts, lengths);
        }
    }
}
