using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Optim;

/// <summary>Adam (Kingma and Ba, 2015) with L2 weight decay added to the gradient (torch.optim.Adam).</summary>
public class Adam : Optimizer<Adam.Group, Adam.State>
{
    /// <summary>Adam's hyperparameters for one group.</summary>
    public sealed record Group : ParamGroup
    {
        public double beta1 { get; set; } = 0.9;
        public double beta2 { get; set; } = 0.999;
        public double eps { get; set; } = 1e-8;
        public bool amsgrad { get; set; }
        public bool maximize { get; set; }

        internal override void Validate()
        {
            base.Validate();
            if (!(eps >= 0)) throw new ArgumentException($"invalid epsilon value: {eps}");
            if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentException($"invalid beta parameter at index 0: {beta1}");
            if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentException($"invalid beta parameter at index 1: {beta2}");
        }
    }

    /// <summary>Running averages of the gradient and its square (and their maximum for AMSGrad).</summary>
    public sealed class State : ParameterState
    {
        public Tensor? exp_avg, exp_avg_sq, max_exp_avg_sq;

        public override IEnumerable<(string, Tensor)> Tensors()
        {
            if (exp_avg is not null) yield return ("exp_avg", exp_avg);
            if (exp_avg_sq is not null) yield return ("exp_avg_sq", exp_avg_sq);
            if (max_exp_avg_sq is not null) yield return ("max_exp_avg_sq", max_exp_avg_sq);
        }

        protected override bool LoadTensor(string name, Tensor value)
        {
            switch (name)
            {
                case "exp_avg": exp_avg?.Dispose(); exp_avg = value; return true;
                case "exp_avg_sq": exp_avg_sq?.Dispose(); exp_avg_sq = value; return true;
                case "max_exp_avg_sq": max_exp_avg_sq?.Dispose(); max_exp_avg_sq = value; return true;
                default: return false;
            }
        }

        public override void Dispose()
        {
            exp_avg?.Dispose(); exp_avg_sq?.Dispose(); max_exp_avg_sq?.Dispose();
            exp_avg = exp_avg_sq = max_exp_avg_sq = null;
        }
    }

    /// <summary>True for AdamW: weight decay shrinks the parameters directly instead of joining the gradient.</summary>
    readonly bool decoupled;

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : this(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled: false)
    {
    }

    private protected Adam(IEnumerable<Tensor> parameters, double lr, double beta1, double beta2, double eps,
        double weight_decay, bool amsgrad, bool maximize, bool decoupled)
        : base(parameters, new Group { lr = lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = weight_decay, amsgrad = amsgrad, maximize = maximize })
    {
        this.decoupled = decoupled;
    }

    public override void step() => StepGroups(group =>
    {
        var (ps, grads, states) = WithGradients(group);
        if (ps.Length == 0) return;
        for (int i = 0; i < states.Length; i++)
        {
            var s = states[i];
            if (s.exp_avg is null)
            {
                s.exp_avg = Keep(zeros_like(ps[i]));
                s.exp_avg_sq = Keep(zeros_like(ps[i]));
            }
            if (group.amsgrad && s.max_exp_avg_sq is null) s.max_exp_avg_sq = Keep(zeros_like(s.exp_avg_sq!));
            s.step++;
        }
        ForEachChunk(ps, grads, states, (p, g, s) => Update(group, p, g, s));
    });

    /// <summary>One multi-tensor update of parameters that share a step count.</summary>
    void Update(Group group, Tensor[] ps, Tensor[] grads, State[] states)
    {
        double b1 = group.beta1, b2 = group.beta2;
        var g = group.maximize ? Foreach.neg(grads) : grads;
        if (group.weight_decay != 0)
        {
            if (decoupled) Foreach.mul_(ps, 1 - group.lr * group.weight_decay);
            else g = Foreach.add(g, ps, group.weight_decay);
        }
        var m = states.Select(s => s.exp_avg!).ToArray();
        var v = states.Select(s => s.exp_avg_sq!).ToArray();
        // torch.optim.Adam rounds differently across versions: 1.13 computes m*b1 + (1-b1)*g, 2.x
        // lerps m toward g, and takes the bias correction's square root with ** 0.5. Follow the
        // libtorch in use so trajectories stay bit-identical to its torch.optim.
        bool v2 = LibtorchMajor >= 2;
        if (v2) Foreach.lerp_(m, g, 1 - b1);
        else
        {
            Foreach.mul_(m, b1);
            Foreach.add_(m, g, 1 - b1);
        }
        Foreach.mul_(v, b2);
        Foreach.addcmul_(v, g, g, 1 - b2);
        if (group.amsgrad)
        {
            var max = states.Select(s => s.max_exp_avg_sq!).ToArray();
            Foreach.maximum_(max, v);
            v = max;
        }
        long step = states[0].step;
        double bc1 = 1 - Math.Pow(b1, step), bc2 = 1 - Math.Pow(b2, step);
        var denom = Foreach.sqrt(v);
        Foreach.div_(denom, v2 ? Math.Pow(bc2, 0.5) : Math.Sqrt(bc2));
        Foreach.add_(denom, group.eps);
        Foreach.addcdiv_(ps, m, denom, -(group.lr / bc1));
    }
}

/// <summary>AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay (torch.optim.AdamW).</summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled: true)
    {
    }
}
