using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Optim;

/// <summary>
/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): the update is the
/// sign of an interpolation between momentum and gradient, with decoupled weight decay.
/// Not in PyTorch; the update follows the paper's Algorithm 2.
/// </summary>
public sealed class Lion : Optimizer<Lion.Group, Lion.State>
{
    /// <summary>Lion's hyperparameters for one group. The paper suggests an lr 3-10x smaller than AdamW's and a larger weight decay.</summary>
    public sealed record Group : ParamGroup
    {
        public double beta1 { get; set; } = 0.9;
        public double beta2 { get; set; } = 0.99;
        public bool maximize { get; set; }

        internal override void Validate()
        {
            base.Validate();
            if (!(beta1 >= 0 && beta1 <= 1)) throw new ArgumentException($"invalid beta parameter at index 0: {beta1}");
            if (!(beta2 >= 0 && beta2 <= 1)) throw new ArgumentException($"invalid beta parameter at index 1: {beta2}");
        }
    }

    /// <summary>The momentum: an exponential average of gradients with rate beta2.</summary>
    public sealed class State : ParameterState
    {
        public Tensor? exp_avg;

        public override IEnumerable<(string, Tensor)> Tensors()
        {
            if (exp_avg is not null) yield return ("exp_avg", exp_avg);
        }

        protected override bool LoadTensor(string name, Tensor value)
        {
            if (name != "exp_avg") return false;
            exp_avg?.Dispose();
            exp_avg = value;
            return true;
        }

        public override void Dispose() { exp_avg?.Dispose(); exp_avg = null; }
    }

    public Lion(IEnumerable<Tensor> parameters, double lr = 1e-4, double beta1 = 0.9, double beta2 = 0.99,
        double weight_decay = 0, bool maximize = false)
        : base(parameters, new Group { lr = lr, beta1 = beta1, beta2 = beta2, weight_decay = weight_decay, maximize = maximize })
    {
    }

    public override void step() => StepGroups(group =>
    {
        var (ps, grads, states) = WithGradients(group);
        if (ps.Length == 0) return;
        for (int i = 0; i < states.Length; i++)
        {
            states[i].exp_avg ??= Keep(zeros_like(ps[i]));
            states[i].step++;
        }
        ForEachChunk(ps, grads, states, (p, g, s) => Update(group, p, g, s));
    });

    static void Update(Group group, Tensor[] ps, Tensor[] grads, State[] states)
    {
        double b1 = group.beta1, b2 = group.beta2;
        var g = group.maximize ? Foreach.neg(grads) : grads;
        var m = states.Select(s => s.exp_avg!).ToArray();
        // c = b1*m + (1-b1)*g; the update direction is sign(c), with momentum b1 for the step
        // and the slower b2 for the memory.
        var c = Foreach.mul(m, b1);
        Foreach.add_(c, g, 1 - b1);
        Foreach.sign_(c);
        if (group.weight_decay != 0) Foreach.mul_(ps, 1 - group.lr * group.weight_decay);
        Foreach.add_(ps, c, -group.lr);
        Foreach.mul_(m, b2);
        Foreach.add_(m, g, 1 - b2);
    }
}
