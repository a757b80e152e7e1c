using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Optim;

/// <summary>Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay (torch.optim.SGD).</summary>
public sealed class SGD : Optimizer<SGD.Group, SGD.State>
{
    /// <summary>SGD's hyperparameters for one group.</summary>
    public sealed record Group : ParamGroup
    {
        public double momentum { get; set; }
        public double dampening { get; set; }
        public bool nesterov { get; set; }
        public bool maximize { get; set; }

        internal override void Validate()
        {
            base.Validate();
            if (!(momentum >= 0)) throw new ArgumentException($"invalid momentum value: {momentum}");
            if (nesterov && (momentum <= 0 || dampening != 0))
                throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
    }

    /// <summary>The momentum buffer, created from the first gradient.</summary>
    public sealed class State : ParameterState
    {
        public Tensor? momentum_buffer;

        public override IEnumerable<(string, Tensor)> Tensors()
        {
            if (momentum_buffer is not null) yield return ("momentum_buffer", momentum_buffer);
        }

        protected override bool LoadTensor(string name, Tensor value)
        {
            if (name != "momentum_buffer") return false;
            momentum_buffer?.Dispose();
            momentum_buffer = value;
            return true;
        }

        public override void Dispose() { momentum_buffer?.Dispose(); momentum_buffer = null; }
    }

    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : base(parameters, new Group { lr = lr, momentum = momentum, dampening = dampening, weight_decay = weight_decay, nesterov = nesterov, maximize = maximize })
    {
    }

    public override void step() => StepGroups(group =>
    {
        var (ps, grads, states) = WithGradients(group);
        if (ps.Length == 0) return;
        foreach (var s in states) s.step++;
        ForEachChunk(ps, grads, states, (p, g, s) => Update(group, p, g, s));
    });

    static void Update(Group group, Tensor[] ps, Tensor[] grads, State[] states)
    {
        var d = group.maximize ? Foreach.neg(grads) : grads;
        if (group.weight_decay != 0) d = Foreach.add(d, ps, group.weight_decay);
        if (group.momentum != 0)
        {
            // The first step seeds the buffer with the gradient itself (no dampening), as PyTorch does.
            var old = new List<int>(ps.Length);
            for (int i = 0; i < ps.Length; i++)
                if (states[i].momentum_buffer is null) states[i].momentum_buffer = Keep(d[i].clone().detach());
                else old.Add(i);
            var buffers = states.Select(s => s.momentum_buffer!).ToArray();
            if (old.Count > 0)
            {
                var all = old.Count == ps.Length;
                var oldBuffers = all ? buffers : Foreach.Pick(buffers, old);
                Foreach.mul_(oldBuffers, group.momentum);
                Foreach.add_(oldBuffers, all ? d : Foreach.Pick(d, old), 1 - group.dampening);
            }
            // Not in place: d may be the .grad tensors themselves, which step must leave alone.
            d = group.nesterov ? Foreach.add(d, buffers, group.momentum) : buffers;
        }
        Foreach.add_(ps, d, -group.lr);
    }
}
