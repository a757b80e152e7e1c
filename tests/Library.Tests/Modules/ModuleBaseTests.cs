using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Modules;

public class ModuleBaseTests
{
    internal sealed class TwoLayer : Module<Tensor, Tensor>
    {
        public readonly Linear first, second;
        public TwoLayer()
        {
            first = register_module("first", new Linear(4, 8));
            second = register_module("second", new Linear(8, 2));
        }
        public override Tensor forward(Tensor x) => second.call(Intermediate("hidden", first.call(x).relu()));
    }

    [Fact]
    public void Parameters_are_discovered_by_registration_with_dotted_names()
    {
        using var m = new TwoLayer();
        var names = m.named_parameters().Select(p => p.name).ToArray();
        Assert.Equal(new[] { "first.weight", "first.bias", "second.weight", "second.bias" }, names);
        Assert.Equal(4 * 8 + 8 + 8 * 2 + 2, m.num_parameters());
        Assert.Equal("second", m.second.Path);
        Assert.All(m.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void Parameters_survive_the_dispose_scope_they_were_created_in()
    {
        TwoLayer m;
        using (NewDisposeScope()) m = new TwoLayer();
        using (m)
        using (NewDisposeScope())
        {
            var y = m.call(randn(3, 4));
            Assert.Equal(new long[] { 3, 2 }, y.shape);
        }
    }

    [Fact]
    public void State_dict_round_trips_through_safetensors_into_a_fresh_model()
    {
        var path = Path.Combine(Path.GetTempPath(), $"module-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var scope = NewDisposeScope();
            manual_seed(1);
            using var a = new TwoLayer();
            manual_seed(2);
            using var b = new TwoLayer();
            var x = randn(5, 4);
            Assert.False(allclose(a.call(x), b.call(x)));
            a.save(path);
            b.load(path);
            Assert.True(equal(a.call(x), b.call(x)));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Load_state_dict_names_missing_keys_and_shape_mismatches()
    {
        using var scope = NewDisposeScope();
        using var m = new TwoLayer();
        var state = m.state_dict();
        state.Remove("second.bias");
        var missing = Assert.Throws<ArgumentException>(() => m.load_state_dict(state));
        Assert.Contains("second.bias", missing.Message);
        var (miss, _) = m.load_state_dict(state, strict: false);
        Assert.Equal(new[] { "second.bias" }, miss);
        state["second.bias"] = zeros(3);
        var shape = Assert.Throws<ArgumentException>(() => m.load_state_dict(state));
        Assert.Contains("[3]", shape.Message);
        Assert.Contains("[2]", shape.Message);
    }

    [Fact]
    public void Capture_records_named_intermediates_and_submodule_outputs_without_model_changes()
    {
        using var scope = NewDisposeScope();
        using var m = new TwoLayer();
        var x = randn(3, 4);
        using (var cap = m.capture("hidden", "first"))
        {
            var y = m.call(x);
            Assert.Equal(new long[] { 3, 8 }, cap["hidden"].shape);
            Assert.True(cap["hidden"].ge(0).all().ToBoolean(), "the hidden capture is after the ReLU");
            Assert.True(allclose(cap["first"], m.first.call(x)));
            Assert.False(cap.Contains("second"));
        }
        // Closed captures record nothing and cost nothing.
        using var later = m.capture("hidden");
        later.Dispose();
        m.call(x);
        Assert.Empty(later.Keys);
    }

    [Fact]
    public void Forward_hooks_see_inputs_and_outputs_and_can_be_removed()
    {
        using var scope = NewDisposeScope();
        using var m = new TwoLayer();
        var seen = new List<long[]>();
        var hook = m.first.register_forward_hook((mod, input, output) => seen.Add(((Tensor)output!).shape));
        m.call(randn(2, 4));
        hook.Dispose();
        m.call(randn(2, 4));
        Assert.Single(seen);
        Assert.Equal(new long[] { 2, 8 }, seen[0]);
    }

    [Fact]
    public void To_dtype_converts_in_place_so_existing_references_follow()
    {
        using var scope = NewDisposeScope();
        using var m = new TwoLayer();
        var w = m.first.weight;
        m.to(float64);
        Assert.Equal(ScalarType.Float64, w.dtype);
        Assert.Equal(ScalarType.Float64, m.call(randn(new long[] { 2, 4 }, float64)).dtype);
        Assert.True(w.requires_grad);
    }

    [Fact]
    public void Train_and_eval_switch_every_submodule()
    {
        using var m = new Sequential(new Linear(2, 2), new Dropout(0.5));
        m.eval();
        Assert.All(m.modules(), x => Assert.False(x.training));
        using var scope = NewDisposeScope();
        var x = ones(100, 2);
        Assert.True(equal(m.call(x), m.call(x)), "dropout is the identity in eval mode");
        m.train();
        Assert.All(m.modules(), x => Assert.True(x.training));
    }

    [Fact]
    public void Duplicate_and_dotted_names_are_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BadNames());
        Assert.Contains("a.b", ex.Message);
    }

    sealed class BadNames : Module<Tensor, Tensor>
    {
        public BadNames() { register_parameter("a.b", zeros(1)); }
        public override Tensor forward(Tensor x) => x;
    }
}
