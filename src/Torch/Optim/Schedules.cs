namespace ArchNotebooks.Torch.Optim;

/// <summary>
/// Learning-rate schedules as pure functions of the step (step 0 is the first update), for
/// plotting and for the scheduler classes, which apply them to an optimizer.
/// </summary>
public static class Schedules
{
    /// <summary>base_lr * gamma^(step / step_size): decays by gamma every step_size steps (StepLR).</summary>
    public static double step_decay(long step, double base_lr, long step_size, double gamma = 0.1) =>
        base_lr * Math.Pow(gamma, step / step_size);

    /// <summary>base_lr * gamma^step: decays by gamma every step (ExponentialLR).</summary>
    public static double exponential(long step, double base_lr, double gamma) => base_lr * Math.Pow(gamma, step);

    /// <summary>Half a cosine from base_lr at step 0 to eta_min at T_max, then back up (CosineAnnealingLR's closed form).</summary>
    public static double cosine_annealing(long step, double base_lr, long T_max, double eta_min = 0) =>
        eta_min + (base_lr - eta_min) * (1 + Math.Cos(Math.PI * step / T_max)) / 2;

    /// <summary>Multiplies base_lr by a factor moving linearly from start_factor to end_factor over total_iters steps (LinearLR).</summary>
    public static double linear(long step, double base_lr, double start_factor, double end_factor, long total_iters) =>
        base_lr * (start_factor + (end_factor - start_factor) * Math.Min(step, total_iters) / total_iters);

    /// <summary>base_lr * factor for the first total_iters steps, base_lr after (ConstantLR).</summary>
    public static double constant(long step, double base_lr, double factor, long total_iters) =>
        step < total_iters ? base_lr * factor : base_lr;

    /// <summary>
    /// Linear warmup: base_lr * (step + 1) / (warmup_steps + 1) before warmup_steps, base_lr after.
    /// Counting from step + 1 (as nanoGPT does) means the first update is not wasted at lr 0.
    /// </summary>
    public static double linear_warmup(long step, double base_lr, long warmup_steps) =>
        step < warmup_steps ? base_lr * (step + 1) / (warmup_steps + 1) : base_lr;

    /// <summary>
    /// Linear warmup over warmup_steps, then half a cosine from base_lr down to min_lr at total_steps,
    /// then min_lr (the nanoGPT schedule).
    /// </summary>
    public static double warmup_cosine(long step, double base_lr, long warmup_steps, long total_steps, double min_lr = 0)
    {
        if (step < warmup_steps) return linear_warmup(step, base_lr, warmup_steps);
        if (step >= total_steps) return min_lr;
        double progress = (double)(step - warmup_steps) / (total_steps - warmup_steps);
        return min_lr + (base_lr - min_lr) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>
    /// Linear warmup over warmup_steps (as <see cref="linear_warmup"/>), then <paramref name="decay"/> counted
    /// from the end of warmup: constant; cosine or linear down to min_lr at total_steps; exponential
    /// (times gamma each step) or step (times gamma every step_size steps), neither going below min_lr.
    /// </summary>
    public static double warmup_decay(long step, double base_lr, long warmup_steps, long total_steps, Decay decay,
        double min_lr = 0, double gamma = 0.1, long step_size = 1)
    {
        if (step < warmup_steps) return linear_warmup(step, base_lr, warmup_steps);
        long t = step - warmup_steps;
        return decay switch
        {
            Decay.Constant => base_lr,
            Decay.Cosine => warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr),
            Decay.Linear => step >= total_steps ? min_lr : base_lr + (min_lr - base_lr) * t / (total_steps - warmup_steps),
            Decay.Exponential => Math.Max(min_lr, base_lr * Math.Pow(gamma, t)),
            Decay.Step => Math.Max(min_lr, base_lr * Math.Pow(gamma, t / step_size)),
            _ => throw new ArgumentException($"unknown decay {decay}"),
        };
    }
}

/// <summary>What the learning rate does after warmup (see <see cref="Schedules.warmup_decay"/>).</summary>
public enum Decay { Constant, Cosine, Linear, Exponential, Step }
