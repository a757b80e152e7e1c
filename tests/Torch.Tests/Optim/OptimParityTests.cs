using ArchNotebooks.Torch.Optim;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Optimizers;

/// <summary>Each optimizer's trajectory matches torch.optim (or, for Lion, the paper's update in Python) step for step.</summary>
public class OptimParityTests
{
    /// <summary>The same configurations as configs() in reference/optim.py.</summary>
    static readonly Dictionary<string, Func<Tensor[], (Optimizer, LRScheduler?)>> Configs = new()
    {
        ["sgd"] = ps => (optim.SGD(ps, lr: 0.1), null),
        ["sgd_momentum"] = ps => (optim.SGD(ps, lr: 0.05, momentum: 0.9, dampening: 0.1), null),
        ["sgd_nesterov_wd"] = ps => (optim.SGD(ps, lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01), null),
        ["sgd_wd_maximize"] = ps => (optim.SGD(ps, lr: 0.1, weight_decay: 0.1, maximize: true), null),
        ["adam"] = ps => (optim.Adam(ps, lr: 1e-2), null),
        ["adam_wd_amsgrad"] = ps => (optim.Adam(ps, lr: 1e-2, weight_decay: 0.1, amsgrad: true), null),
        ["adamw"] = ps => (optim.AdamW(ps, lr: 1e-2, weight_decay: 0.1), null),
        ["adamw_betas_maximize"] = ps => (optim.AdamW(ps, lr: 3e-3, beta1: 0.8, beta2: 0.95, eps: 1e-6, amsgrad: true, maximize: true), null),
        ["adamw_groups"] = ps =>
        {
            var opt = optim.AdamW(ps[..2], lr: 1e-2, weight_decay: 0.1);
            opt.add_param_group(ps[2..], g => g with { lr = 1e-3, weight_decay = 0 });
            return (opt, null);
        },
        ["lion"] = ps => (optim.Lion(ps, lr: 1e-3, weight_decay: 0.1), null),
        ["lion_betas"] = ps => (optim.Lion(ps, lr: 3e-4, beta1: 0.95, beta2: 0.98), null),
        ["sgd_momentum_steplr"] = ps =>
        {
            var opt = optim.SGD(ps, lr: 0.05, momentum: 0.9);
            return (opt, optim.lr_scheduler.StepLR(opt, step_size: 5, gamma: 0.5));
        },
    };

    public static TheoryData<string> Names => new(Configs.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Trajectory_matches_torch_optim(string name) => Trajectory(name);

    [Theory]
    [MemberData(nameof(Names))]
    public void Trajectory_is_the_same_when_each_parameter_is_its_own_chunk(string name)
    {
        // Chunking never changes the numbers, so setting this global does not disturb tests running alongside.
        var saved = Optimizer.CpuChunkBytes;
        Optimizer.CpuChunkBytes = 1;
        try { Trajectory(name); }
        finally { Optimizer.CpuChunkBytes = saved; }
    }

    static void Trajectory(string name)
    {
        var reference = OptimReference.Instance;
        using var scope = NewDisposeScope();
        var ps = reference.FreshParameters();
        var (opt, sched) = Configs[name](ps);
        using (opt)
        {
            for (int s = 0; s < OptimReference.Steps; s++)
            {
                reference.SetGradients(ps, s);
                opt.step();
                sched?.step();
                for (int k = 0; k < ps.Length; k++)
                {
                    var diff = OptimReference.MaxAbsDiff(reference.Expected[$"{name}.{s}.{k}"], ps[k]);
                    // Same kernels in the same order: the trajectories agree to the last bit.
                    Assert.True(diff == 0, $"{name}: parameter {k} after step {s} differs from PyTorch by up to {diff:G3}");
                }
            }
        }
    }

    public static TheoryData<string, double, double> ClipCases => new()
    {
        { "l2", 1.0, 2.0 }, { "l1", 1.0, 1.0 }, { "inf", 0.5, double.PositiveInfinity }, { "l3", 2.0, 3.0 }, { "l2_loose", 1e3, 2.0 },
    };

    [Theory]
    [MemberData(nameof(ClipCases))]
    public void Clip_grad_norm_matches_torch(string label, double max_norm, double norm_type)
    {
        var reference = OptimReference.Instance;
        using var scope = NewDisposeScope();
        var ps = reference.FreshParameters();
        reference.SetGradients(ps, 0);
        var total = nn.utils.clip_grad_norm_(ps, max_norm, norm_type);
        // Mixed float32/float64 gradients: the stacked norms, and so the total, promote to float64 as in PyTorch.
        // libtorch 1.x sums the per-gradient norms in parameter order, as we do: bit-identical. libtorch 2.x
        // first groups the gradients by dtype in the order of an internal hash map, so a mixed-dtype sum
        // may round differently in the last bits; there the bound is a few float64 ulps of the total.
        var expectedTotal = reference.Expected[$"clip.{label}.total"];
        double tolerance = LibtorchMajor >= 2 ? 1e-14 * Math.Max(1, Math.Abs(expectedTotal.ToDouble())) : 0;
        Assert.InRange(OptimReference.MaxAbsDiff(expectedTotal, total), 0, tolerance);
        for (int k = 0; k < ps.Length; k++)
            Assert.InRange(OptimReference.MaxAbsDiff(reference.Expected[$"clip.{label}.{k}"], ps[k].grad!), 0,
                LibtorchMajor >= 2 ? 1e-6 * ps[k].grad!.abs().max().ToDouble() : 0);
    }
}
