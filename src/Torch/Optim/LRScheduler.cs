using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Optim;

/// <summary>
/// Sets each parameter group's lr from its initial lr and the step count, once per step() call
/// (torch.optim.lr_scheduler). Construction applies step 0, so call step() after each optimizer.step().
/// Every scheduler here uses its closed form, so schedules do not drift and can be plotted with lr_at.
/// </summary>
public abstract class LRScheduler
{
    readonly Optimizer optimizer;

    readonly double[] baseLrs;

    /// <summary>The step whose lr is in effect (PyTorch's last_epoch).</summary>
    public long last_epoch { get; private set; }

    /// <summary>Each group's lr before scheduling.</summary>
    public IReadOnlyList<double> base_lrs => baseLrs;

    protected LRScheduler(Optimizer optimizer, long last_epoch = -1)
    {
        this.optimizer = optimizer;
        var lrs = new double[optimizer.param_groups.Count];
        for (int i = 0; i < lrs.Length; i++)
        {
            var g = optimizer.param_groups[i];
            if (last_epoch == -1) g.initial_lr ??= g.lr;
            else if (g.initial_lr is null)
                throw new ArgumentException($"resuming at last_epoch {last_epoch} needs initial_lr in param group {i} (load the optimizer's state first)");
            lrs[i] = g.initial_lr.Value;
        }
        baseLrs = lrs;
        this.last_epoch = last_epoch;
    }

    /// <summary>Applies the initial step; subclasses call it at the end of their constructor, after their fields are set.</summary>
    protected void Start() => step();

    /// <summary>The lr of a group with initial lr <paramref name="base_lr"/> at <paramref name="step"/>.</summary>
    protected abstract double LrAt(long step, double base_lr);

    /// <summary>What group <paramref name="group"/>'s lr will be at <paramref name="step"/> (pure: changes nothing).</summary>
    public double lr_at(long step, int group = 0) => LrAt(step, base_lrs[group]);

    /// <summary>Advances one step and sets every group's lr.</summary>
    public void step()
    {
        last_epoch++;
        for (int i = 0; i < base_lrs.Count; i++) optimizer.param_groups[i].lr = LrAt(last_epoch, base_lrs[i]);
    }

    /// <summary>
    /// The position and base lrs as tensors ("last_epoch", "base_lrs"), ready for safetensors beside the
    /// optimizer's state. The schedule's own settings are not saved: they come from the constructor.
    /// </summary>
    public Dictionary<string, Tensor> state_dict() => new()
    {
        ["last_epoch"] = tensor(last_epoch),
        ["base_lrs"] = tensor(baseLrs.ToArray()),
    };

    /// <summary>
    /// Restores what state_dict saved and sets every group's lr for the restored step, so the lr is right
    /// whichever of optimizer and scheduler is loaded first (a scheduler built afresh has already applied step 0).
    /// </summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> state)
    {
        if (!state.TryGetValue("last_epoch", out var epoch) || !state.TryGetValue("base_lrs", out var lrs))
            throw new ArgumentException("a scheduler state dict needs 'last_epoch' and 'base_lrs'");
        var saved = lrs.to(float64).data<double>();
        if (saved.Length != baseLrs.Length)
            throw new ArgumentException($"the saved scheduler had {saved.Length} parameter groups, this optimizer has {baseLrs.Length}");
        saved.CopyTo(baseLrs, 0);
        last_epoch = epoch.ToInt64() - 1;
        step();
    }

    /// <summary>The lrs set by the last step().</summary>
    public double[] get_last_lr() => optimizer.param_groups.Select(g => g.lr).ToArray();

    static protected void Positive(long value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} must be positive, got {value}");
    }
}

/// <summary>Decays the lr by gamma every step_size steps.</summary>
public sealed class StepLR : LRScheduler
{
    readonly long step_size;
    readonly double gamma;

    public StepLR(Optimizer optimizer, long step_size, double gamma = 0.1, long last_epoch = -1) : base(optimizer, last_epoch)
    {
        Positive(step_size, nameof(step_size));
        this.step_size = step_size;
        this.gamma = gamma;
        Start();
    }

    protected override double LrAt(long step, double base_lr) => Schedules.step_decay(step, base_lr, step_size, gamma);
}

/// <summary>Multiplies the lr by gamma every step.</summary>
public sealed class ExponentialLR : LRScheduler
{
    readonly double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma, long last_epoch = -1) : base(optimizer, last_epoch)
    {
        if (!(gamma > 0)) throw new ArgumentException($"gamma must be positive, got {gamma}");
        this.gamma = gamma;
        Start();
    }

    protected override double LrAt(long step, double base_lr) => Schedules.exponential(step, base_lr, gamma);
}

/// <summary>Cosine from the initial lr down to eta_min over T_max steps.</summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    readonly long T_max;
    readonly double eta_min;

    public CosineAnnealingLR(Optimizer optimizer, long T_max, double eta_min = 0, long last_epoch = -1) : base(optimizer, last_epoch)
    {
        Positive(T_max, nameof(T_max));
        this.T_max = T_max;
        this.eta_min = eta_min;
        Start();
    }

    protected override double LrAt(long step, double base_lr) => Schedules.cosine_annealing(step, base_lr, T_max, eta_min);
}

/// <summary>Scales the lr by a factor moving linearly from start_factor to end_factor over total_iters steps.</summary>
public sealed class LinearLR : LRScheduler
{
    readonly double start_factor, end_factor;
    readonly long total_iters;

    public LinearLR(Optimizer optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, long total_iters = 5, long last_epoch = -1)
        : base(optimizer, last_epoch)
    {
        if (!(start_factor > 0 && start_factor <= 1)) throw new ArgumentException($"start_factor must be in (0, 1], got {start_factor}");
        if (!(end_factor >= 0 && end_factor <= 1)) throw new ArgumentException($"end_factor must be in [0, 1], got {end_factor}");
        Positive(total_iters, nameof(total_iters));
        this.start_factor = start_factor;
        this.end_factor = end_factor;
        this.total_iters = total_iters;
        Start();
    }

    protected override double LrAt(long step, double base_lr) => Schedules.linear(step, base_lr, start_factor, end_factor, total_iters);
}

/// <summary>Scales the lr by factor for the first total_iters steps.</summary>
public sealed class ConstantLR : LRScheduler
{
    readonly double factor;
    readonly long total_iters;

    public ConstantLR(Optimizer optimizer, double factor = 1.0 / 3, long total_iters = 5, long last_epoch = -1) : base(optimizer, last_epoch)
    {
        if (!(factor >= 0 && factor <= 1)) throw new ArgumentException($"factor must be in [0, 1], got {factor}");
        this.factor = factor;
        this.total_iters = total_iters;
        Start();
    }

    protected override double LrAt(long step, double base_lr) => Schedules.constant(step, base_lr, factor, total_iters);
}

/// <summary>The initial lr times a function of the step.</summary>
public sealed class LambdaLR : LRScheduler
{
    readonly Func<long, double> lr_lambda;

    public LambdaLR(Optimizer optimizer, Func<long, double> lr_lambda, long last_epoch = -1) : base(optimizer, last_epoch)
    {
        this.lr_lambda = lr_lambda;
        Start();
    }

    protected override double LrAt(long step, double base_lr) => base_lr * lr_lambda(step);
}

/// <summary>Linear warmup to the initial lr over warmup_steps, constant after (see Schedules.linear_warmup).</summary>
public sealed class LinearWarmupLR : LRScheduler
{
    readonly long warmup_steps;

    public LinearWarmupLR(Optimizer optimizer, long warmup_steps, long last_epoch = -1) : base(optimizer, last_epoch)
    {
        if (warmup_steps < 0) throw new ArgumentException($"warmup_steps must not be negative, got {warmup_steps}");
        this.warmup_steps = warmup_steps;
        Start();
    }

    protected override double LrAt(long step, double base_lr) => Schedules.linear_warmup(step, base_lr, warmup_steps);
}

/// <summary>Linear warmup, then cosine decay to min_lr at total_steps (see Schedules.warmup_cosine).</summary>
public sealed class WarmupCosineLR : LRScheduler
{
    readonly long warmup_steps, total_steps;
    readonly double min_lr;

    public WarmupCosineLR(Optimizer optimizer, long warmup_steps, long total_steps, double min_lr = 0, long last_epoch = -1)
        : base(optimizer, last_epoch)
    {
        if (warmup_steps < 0) throw new ArgumentException($"warmup_steps must not be negative, got {warmup_steps}");
        if (total_steps <= warmup_steps) throw new ArgumentException($"total_steps ({total_steps}) must exceed warmup_steps ({warmup_steps})");
        this.warmup_steps = warmup_steps;
        this.total_steps = total_steps;
        this.min_lr = min_lr;
        Start();
    }

    protected override double LrAt(long step, double base_lr) => Schedules.warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr);
}

/// <summary>Linear warmup, then constant, cosine, linear, exponential or step decay (see Schedules.warmup_decay).</summary>
public sealed class WarmupDecayLR : LRScheduler
{
    readonly long warmup_steps, total_steps, step_size;
    readonly Decay decay;
    readonly double min_lr, gamma;

    public WarmupDecayLR(Optimizer optimizer, long warmup_steps, long total_steps, Decay decay, double min_lr = 0,
        double gamma = 0.1, long step_size = 1, long last_epoch = -1) : base(optimizer, last_epoch)
    {
        if (warmup_steps < 0) throw new ArgumentException($"warmup_steps must not be negative, got {warmup_steps}");
        if (decay is Decay.Cosine or Decay.Linear && total_steps <= warmup_steps)
            throw new ArgumentException($"total_steps ({total_steps}) must exceed warmup_steps ({warmup_steps}) for {decay} decay");
        if (decay is Decay.Exponential or Decay.Step && !(gamma > 0 && gamma <= 1))
            throw new ArgumentException($"gamma must be in (0, 1] for {decay} decay, got {gamma}");
        if (decay == Decay.Step) Positive(step_size, nameof(step_size));
        if (!(min_lr >= 0)) throw new ArgumentException($"min_lr must not be negative, got {min_lr}");
        (this.warmup_steps, this.total_steps, this.decay, this.min_lr, this.gamma, this.step_size) =
            (warmup_steps, total_steps, decay, min_lr, gamma, step_size);
        Start();
    }

    protected override double LrAt(long step, double base_lr) =>
        Schedules.warmup_decay(step, base_lr, warmup_steps, total_steps, decay, min_lr, gamma, step_size);
}
