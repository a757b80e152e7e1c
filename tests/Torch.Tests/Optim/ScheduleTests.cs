using ArchNotebooks.Torch.Optim;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Optimizers;

/// <summary>LR schedulers: PyTorch's values for its schedulers, the formulas for ours, and the plumbing into optimizers.</summary>
public class ScheduleTests
{
    static readonly Dictionary<string, Func<Optimizer, LRScheduler>> PyTorchSchedules = new()
    {
        ["step"] = o => optim.lr_scheduler.StepLR(o, step_size: 3, gamma: 0.5),
        ["cosine"] = o => optim.lr_scheduler.CosineAnnealingLR(o, T_max: 10, eta_min: 0.01),
        ["linear"] = o => optim.lr_scheduler.LinearLR(o, start_factor: 0.1, end_factor: 1.0, total_iters: 5),
        ["constant"] = o => optim.lr_scheduler.ConstantLR(o, factor: 0.5, total_iters: 4),
        ["exponential"] = o => optim.lr_scheduler.ExponentialLR(o, gamma: 0.8),
    };

    public static TheoryData<string> Names => new(PyTorchSchedules.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Schedule_matches_torch_lr_scheduler(string name)
    {
        var expected = OptimReference.Instance.Expected[$"sched.{name}"].data<double>();
        using var scope = NewDisposeScope();
        using var opt = optim.SGD(new[] { zeros(new long[] { 1 }, requires_grad: true) }, lr: 0.1);
        var sched = PyTorchSchedules[name](opt);
        var actual = new List<double> { opt.param_groups[0].lr };
        for (int i = 0; i < 15; i++) { opt.step(); sched.step(); actual.Add(opt.param_groups[0].lr); }
        for (int i = 0; i < expected.Length; i++)
        {
            // PyTorch updates most of these recursively (lr *= ratio); ours are closed forms, so allow rounding.
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12, $"{name} at step {i}: PyTorch {expected[i]}, ours {actual[i]}");
            Assert.Equal(actual[i], sched.lr_at(i));
        }
    }

    [Fact]
    public void Linear_warmup_rises_to_the_base_lr_without_a_zero_step()
    {
        double[] lrs = Enumerable.Range(0, 6).Select(s => Schedules.linear_warmup(s, 1.0, warmup_steps: 4)).ToArray();
        Assert.Equal(new[] { 0.2, 0.4, 0.6, 0.8, 1.0, 1.0 }, lrs.Select(x => Math.Round(x, 12)));
        Assert.Equal(1.0, Schedules.linear_warmup(0, 1.0, warmup_steps: 0));
    }

    [Fact]
    public void Warmup_cosine_warms_up_then_decays_to_min_lr()
    {
        const double lr = 6e-4, min = 6e-5;
        Func<long, double> f = s => Schedules.warmup_cosine(s, lr, warmup_steps: 10, total_steps: 110, min_lr: min);
        Assert.Equal(lr / 11, f(0), 15);
        Assert.Equal(lr * 10 / 11, f(9), 15);
        Assert.Equal(lr, f(10), 15);                       // the top of the cosine
        Assert.Equal((lr + min) / 2, f(60), 15);           // half way down
        Assert.Equal(min, f(110), 15);
        Assert.Equal(min, f(1000), 15);                    // stays at the floor
        for (long s = 10; s < 110; s++) Assert.True(f(s + 1) <= f(s), $"not monotone at {s}");
    }

    [Fact]
    public void Schedulers_set_every_group_from_its_own_initial_lr()
    {
        using var scope = NewDisposeScope();
        using var opt = optim.AdamW(new[] { zeros(new long[] { 2 }, requires_grad: true) }, lr: 1e-3);
        opt.add_param_group(new[] { zeros(new long[] { 3 }, requires_grad: true) }, g => g with { lr = 1e-2 });
        var sched = optim.lr_scheduler.WarmupCosineLR(opt, warmup_steps: 2, total_steps: 10, min_lr: 1e-5);
        Assert.Equal(new[] { 1e-3 / 3, 1e-2 / 3 }, opt.param_groups.Select(g => g.lr), new Tolerance());
        for (int i = 0; i < 2; i++) sched.step();
        Assert.Equal(new[] { 1e-3, 1e-2 }, sched.get_last_lr(), new Tolerance());
        Assert.Equal(new double?[] { 1e-3, 1e-2 }, opt.param_groups.Select(g => g.initial_lr));
        Assert.Equal(2, sched.last_epoch);
        // lr_at is pure: asking about the future changes nothing.
        Assert.Equal(1e-5, sched.lr_at(50, group: 1));
        Assert.Equal(2, sched.last_epoch);
    }

    [Fact]
    public void LambdaLR_and_constant_schedules()
    {
        using var scope = NewDisposeScope();
        using var opt = optim.SGD(new[] { zeros(new long[] { 1 }, requires_grad: true) }, lr: 0.5);
        var sched = optim.lr_scheduler.LambdaLR(opt, s => 1.0 / (s + 1));
        Assert.Equal(0.5, opt.param_groups[0].lr);
        sched.step();
        Assert.Equal(0.25, opt.param_groups[0].lr);
        Assert.Equal(0.5 * 0.3, Schedules.constant(2, 0.5, factor: 0.3, total_iters: 3));
        Assert.Equal(0.5, Schedules.constant(3, 0.5, factor: 0.3, total_iters: 3));
        Assert.Equal(0.5 * 0.25, Schedules.step_decay(7, 0.5, step_size: 3, gamma: 0.5));
    }

    [Fact]
    public void Bad_schedule_arguments_are_rejected()
    {
        using var scope = NewDisposeScope();
        using var opt = optim.SGD(new[] { zeros(new long[] { 1 }, requires_grad: true) }, lr: 0.5);
        Assert.Contains("step_size", Assert.Throws<ArgumentException>(() => optim.lr_scheduler.StepLR(opt, 0)).Message);
        Assert.Contains("total_steps", Assert.Throws<ArgumentException>(() => optim.lr_scheduler.WarmupCosineLR(opt, 10, 5)).Message);
        Assert.Contains("gamma", Assert.Throws<ArgumentException>(() => optim.lr_scheduler.WarmupDecayLR(opt, 2, 10, Decay.Step, gamma: 1.5)).Message);
        Assert.Contains("total_steps", Assert.Throws<ArgumentException>(() => optim.lr_scheduler.WarmupDecayLR(opt, 10, 10, Decay.Linear)).Message);
        Assert.Contains("start_factor", Assert.Throws<ArgumentException>(() => optim.lr_scheduler.LinearLR(opt, start_factor: 0)).Message);
    }

    [Fact]
    public void Warmup_then_each_decay_follows_its_curve()
    {
        const double lr = 1e-2, min = 1e-3;
        double At(long s, Decay d) => Schedules.warmup_decay(s, lr, warmup_steps: 4, total_steps: 24, d, min, gamma: 0.5, step_size: 3);
        foreach (var d in Enum.GetValues<Decay>())
        {
            // The same warmup for every decay: (s + 1) / 5 of the peak, reaching it at step 4.
            for (long s = 0; s < 4; s++) Assert.Equal(lr * (s + 1) / 5, At(s, d), 15);
            Assert.Equal(lr, At(4, d), 15);
            for (long s = 4; s < 40; s++) Assert.True(At(s + 1, d) <= At(s, d), $"{d} rises at step {s}");
        }
        for (long s = 4; s < 40; s++) Assert.Equal(lr, At(s, Decay.Constant));
        Assert.Equal((lr + min) / 2, At(14, Decay.Cosine), 15);        // half way through the 20 decay steps
        Assert.Equal(min, At(24, Decay.Cosine), 15);
        Assert.Equal(lr + (min - lr) * 0.25, At(9, Decay.Linear), 15);  // a quarter of the way down
        Assert.Equal(min, At(24, Decay.Linear), 15);
        Assert.Equal(min, At(100, Decay.Linear), 15);
        Assert.Equal(lr * 0.125, At(7, Decay.Exponential), 15);        // three halvings after warmup
        Assert.Equal(min, At(30, Decay.Exponential), 15);              // floored at min_lr
        Assert.Equal(lr, At(6, Decay.Step), 15);                       // steps 4..6 share the peak
        Assert.Equal(lr * 0.5, At(7, Decay.Step), 15);
        Assert.Equal(lr * 0.25, At(12, Decay.Step), 15);
        Assert.Equal(min, At(40, Decay.Step), 15);
        // The cosine decay is the existing warmup_cosine schedule, so the Trainer's default is unchanged.
        for (long s = 0; s < 30; s++) Assert.Equal(Schedules.warmup_cosine(s, lr, 4, 24, min), At(s, Decay.Cosine));
    }

    [Fact]
    public void Exponential_decay_after_warmup_is_what_exponential_lr_gives_shifted_by_the_warmup()
    {
        for (long s = 0; s < 20; s++)
            Assert.Equal(Schedules.exponential(s, 0.1, 0.9), Schedules.warmup_decay(s + 5, 0.1, 5, 100, Decay.Exponential, gamma: 0.9));
    }

    [Fact]
    public void A_scheduler_resumed_from_its_state_dict_sets_the_lr_of_the_saved_step()
    {
        // Building a scheduler applies step 0; loading its state must put back the saved step's lr,
        // not leave the optimizer one step behind.
        using var scope = NewDisposeScope();
        var p = zeros(new long[] { 1 }, requires_grad: true);
        using var opt = optim.SGD(new[] { p }, lr: 0.1);
        var sched = optim.lr_scheduler.WarmupDecayLR(opt, 3, 20, Decay.Exponential, gamma: 0.7);
        for (int i = 0; i < 9; i++) { opt.step(); sched.step(); }
        var saved = sched.state_dict();
        var optState = opt.state_dict();
        double next = sched.lr_at(10);

        using var opt2 = optim.SGD(new[] { zeros(new long[] { 1 }, requires_grad: true) }, lr: 0.1);
        opt2.load_state_dict(optState);
        var sched2 = optim.lr_scheduler.WarmupDecayLR(opt2, 3, 20, Decay.Exponential, gamma: 0.7);
        Assert.NotEqual(opt.param_groups[0].lr, opt2.param_groups[0].lr);   // the fresh scheduler reset it
        sched2.load_state_dict(saved);
        Assert.Equal(9, sched2.last_epoch);
        Assert.Equal(opt.param_groups[0].lr, opt2.param_groups[0].lr);
        sched2.step();
        Assert.Equal(next, opt2.param_groups[0].lr);
        Assert.Contains("groups", Assert.Throws<ArgumentException>(() =>
        {
            using var two = optim.SGD(new[] { zeros(new long[] { 1 }, requires_grad: true) }, lr: 0.1);
            two.add_param_group(new[] { zeros(new long[] { 1 }, requires_grad: true) });
            optim.lr_scheduler.ExponentialLR(two, 0.9).load_state_dict(saved);
        }).Message);
    }

    sealed class Tolerance : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= 1e-15 + 1e-12 * Math.Abs(b);
        public int GetHashCode(double x) => 0;
    }
}
