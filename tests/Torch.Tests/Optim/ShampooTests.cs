using ArchNotebooks.Torch.Optim;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Optimizers;

/// <summary>
/// Shampoo against the numpy reference written from the paper (reference/shampoo.py), on the same
/// parameters and gradients as the torch.optim parity tests, including steps where some parameters
/// have no gradient (so their step counts, and root refreshes, fall out of step with the others).
/// </summary>
public class ShampooTests
{
    /// <summary>The same settings as shampoo_configs in reference/optim.py.</summary>
    static readonly Dictionary<string, Func<Tensor[], Shampoo>> Configs = new()
    {
        ["shampoo"] = ps => optim.Shampoo(ps, lr: 0.1, block_size: 3),
        ["shampoo_blocks_momentum_wd"] = ps => optim.Shampoo(ps, lr: 0.05, momentum: 0.9, weight_decay: 0.01, eps: 1e-3, update_freq: 3, block_size: 3),
        ["shampoo_whole_maximize"] = ps => optim.Shampoo(ps, lr: 0.02, update_freq: 2, maximize: true),
    };

    public static TheoryData<string> Names => new(Configs.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Trajectory_matches_the_numpy_reference(string name)
    {
        var reference = OptimReference.Instance;
        using var scope = NewDisposeScope();
        var ps = reference.FreshParameters();
        using var opt = Configs[name](ps);
        for (int s = 0; s < OptimReference.Steps; s++)
        {
            reference.SetGradients(ps, s);
            opt.step();
            for (int k = 0; k < ps.Length; k++)
            {
                var expected = reference.Expected[$"{name}.{s}.{k}"];
                double diff = OptimReference.MaxAbsDiff(expected, ps[k]);
                // The eigendecompositions come from different LAPACK calls (libtorch's and numpy's), so
                // the roots agree to rounding, not to the bit; float32 parameters then round the step.
                double scale = Math.Max(1, expected.abs().max().ToDouble());
                double tolerance = (ps[k].dtype == float64 ? 1e-10 : 2e-5) * scale;
                Assert.True(diff <= tolerance, $"{name}: parameter {k} after step {s} differs from the reference by {diff:G3}");
            }
        }
    }

    [Fact]
    public void Preconditioning_differs_from_sgd_and_the_roots_are_inverse_roots()
    {
        // Guards against a reference and an implementation that agree on doing nothing special:
        // one Shampoo step on a matrix is lr * H0^(-1/4) G H1^(-1/4), not lr * G.
        using var scope = NewDisposeScope();
        manual_seed(7);
        var g = randn(new long[] { 4, 3 }, float64);
        var w = zeros(new long[] { 4, 3 }, float64, requires_grad: true);
        using var opt = optim.Shampoo(new[] { w }, lr: 1.0, eps: 1e-6);
        w.grad = g.clone();
        opt.step();
        var left = eye(4, dtype: float64).mul(1e-6).add(g.matmul(g.t()));
        var right = eye(3, dtype: float64).mul(1e-6).add(g.t().matmul(g));
        var l4 = Shampoo.InverseRoot(left, 4);
        // l4^4 left = I: the root is what its name says.
        var identity = l4.matmul(l4).matmul(l4).matmul(l4).matmul(left);
        Assert.True(identity.sub(eye(4, dtype: float64)).abs().max().ToDouble() < 1e-6);
        var expected = l4.matmul(g).matmul(Shampoo.InverseRoot(right, 4)).neg();
        Assert.True(w.detach().sub(expected).abs().max().ToDouble() < 1e-9);
        Assert.True(w.detach().add(g).abs().max().ToDouble() > 1e-2);
    }

    [Fact]
    public void Blocks_tile_the_parameter_row_major()
    {
        var blocks = Shampoo.Blocks(new long[] { 5, 3 }, 2).ToArray();
        Assert.Equal(6, blocks.Length);
        Assert.Equal(new long[] { 0, 2 }, blocks[1].starts);
        Assert.Equal(new long[] { 2, 1 }, blocks[1].lengths);
        Assert.Equal(new long[] { 4, 2 }, blocks[5].starts);
        Assert.Equal(new long[] { 1, 1 }, blocks[5].lengths);
        Assert.Equal(15, blocks.Sum(b => b.lengths[0] * b.lengths[1]));
    }

    [Fact]
    public void State_dict_keeps_float64_statistics_for_float32_parameters()
    {
        using var scope = NewDisposeScope();
        var w = zeros(new long[] { 3, 2 }, requires_grad: true);
        using var opt = optim.Shampoo(new[] { w }, block_size: 2);
        w.grad = ones(new long[] { 3, 2 });
        opt.step();
        var sd = opt.state_dict();
        Assert.Equal(float64, sd["state.0.block.0.stats.0"].dtype);
        Assert.Equal(new long[] { 1, 1 }, sd["state.0.block.1.root.0"].shape);   // the second block is the one row left over
        using var again = optim.Shampoo(new[] { w }, block_size: 2);
        again.load_state_dict(sd);
        Assert.Equal(float64, again.state_dict()["state.0.block.0.root.1"].dtype);
        Assert.Contains("eps", Assert.Throws<ArgumentException>(() => optim.Shampoo(new[] { w }, eps: 0)).Message);
        Assert.Contains("update_freq", Assert.Throws<ArgumentException>(() => optim.Shampoo(new[] { w }, update_freq: 0)).Message);
    }
}
