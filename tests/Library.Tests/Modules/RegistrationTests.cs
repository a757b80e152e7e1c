using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Modules;

/// <summary>Parts a model holds but never registered are found by name, and the Trainer refuses to train without them.</summary>
public class RegistrationTests
{
    // Two mistakes a newcomer makes: a layer assigned without register_module, a trainable tensor without register_parameter.
    sealed class Forgetful : Module<Tensor, Tensor>
    {
        public readonly Linear first;
        public Linear second;
        Tensor scale;
        public Forgetful()
        {
            first = register_module("first", new Linear(6, 8));
            second = new Linear(8, 6);
            scale = ones(8).requires_grad_();
        }
        public override Tensor forward(Tensor x) => second.call(first.call(x).mul(scale));
    }

    // Layers kept in a plain list: the list is not a module, so neither are they.
    sealed class Listed : Module<Tensor, Tensor>
    {
        readonly List<Linear> layers = [new Linear(6, 6), new Linear(6, 6)];
        public override Tensor forward(Tensor x) => layers.Aggregate(x, (h, l) => l.call(h));
    }

    // The same parts registered, plus what is legitimately unregistered: a registered layer held twice,
    // a constant tensor, a frozen one.
    sealed class Careful : Module<Tensor, Tensor>
    {
        public readonly Linear first, alias;
        public readonly Tensor scale, constant;
        public Careful()
        {
            first = register_module("first", new Linear(6, 6));
            alias = first;
            scale = register_parameter("scale", ones(6).requires_grad_());
            constant = ones(6);
        }
        public override Tensor forward(Tensor x) => first.call(x).mul(scale).add(constant);
    }

    [Fact]
    public void Unregistered_modules_tensors_and_lists_are_named_with_the_fix()
    {
        using var forgetful = new Forgetful();
        var found = Registration.Find(forgetful);
        Assert.Equal(["second", "scale"], found.Select(f => f.Field));
        Assert.Contains("Forgetful.second holds a Linear that is not registered: assign it with second = register_module(\"second\", ...)", found.Select(f => f.ToString()));
        Assert.Contains("Forgetful.scale holds a trainable tensor [8] that is not registered: assign it with scale = register_parameter(\"scale\", ...)", found.Select(f => f.ToString()));
        using var listed = new Listed();
        Assert.Contains("2 Linear module(s) in a List", Assert.Single(Registration.Find(listed)).What);
        using var careful = new Careful();
        Assert.Empty(Registration.Find(careful));
    }

    [Fact]
    public void The_trainer_refuses_a_model_whose_parts_would_not_train()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        using var forgetful = new Forgetful();
        // Before this check, the optimizer saw only `first`: `second` and `scale` stayed at their initial values.
        Assert.Equal(2, forgetful.parameters().Count());
        var e = Assert.Throws<ArgumentException>(() => new Trainer(new TrainConfig { Steps = 2, EvalEvery = 0 }).Fit(forgetful, task));
        Assert.Contains("Forgetful cannot be trained as it is", e.Message);
        Assert.Contains("Forgetful.second holds a Linear", e.Message);
        Assert.Contains("Forgetful.scale holds a trainable tensor [8]", e.Message);
    }
}
