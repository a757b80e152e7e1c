using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Checks;

/// <summary>
/// Checks that are about the model in hand: a config is trusted to stand in for a model only when it
/// provably builds it, causality is judged against a declaration, and the suite can run on the
/// model's own weights and give them back.
/// </summary>
public class OwnModelCheckTests
{
    static readonly CopyTask Copy = new(symbols: 6, length: 4);

    static Module<Tensor, Tensor> Gpt(TransformerConfig config)
    {
        manual_seed(0);
        return config.For(Copy).Build();
    }

    static TransformerConfig Small(bool causal = true) => new(Layers: 1, Dim: 16, Heads: 2, Causal: causal);

    /// <summary>Adds the next position's logits of a causal transformer to each position's: the future leaks although the attention is masked.</summary>
    class PeekAhead : Module<Tensor, Tensor>
    {
        readonly Module<Tensor, Tensor> inner;
        public PeekAhead(Module<Tensor, Tensor> inner) => this.inner = register_module("inner", inner);
        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = inner.call(x);
            return y.add(y.roll(-1, 1)).MoveToOuterDisposeScope();   // position t also gets position t+1's logits
        }
    }

    /// <summary>The same leak, in a module that declares itself causal.</summary>
    sealed class DeclaredCausalPeekAhead(Module<Tensor, Tensor> inner) : PeekAhead(inner), IDeclaresCausality
    {
        public bool IsCausal => true;
    }

    /// <summary>A hand-written module whose forward has a shape bug.</summary>
    sealed class Broken : Module<Tensor, Tensor>
    {
        readonly Linear proj;
        public Broken() => proj = register_module("proj", new Linear(7, 3));
        public override Tensor forward(Tensor x) => proj.call(x.to(ScalarType.Float32));
    }

    /// <summary>One linear layer; Doubled multiplies its output by two, so two of them share every tensor but not their function.</summary>
    sealed record LinearConfig(bool Doubled) : IModelConfig
    {
        public Module<Tensor, Tensor> Build() => new Lin(this);
        public IModelConfig For(ISyntheticTask task) => this;
    }

    sealed class Lin : Module<Tensor, Tensor>
    {
        readonly Linear proj;
        readonly bool doubled;
        public Lin(LinearConfig config) { proj = register_module("proj", new Linear(4, 3)); doubled = config.Doubled; }
        public override Tensor forward(Tensor x) => doubled ? proj.call(x).mul(2.0) : proj.call(x);
    }

    [Fact]
    public void A_config_that_builds_the_model_matches_it_even_after_training_changed_the_weights()
    {
        var config = Small().For(Copy);
        using var model = Gpt(Small());
        using (no_grad()) model.parameters().First().add_(1.0);   // weights that no fresh build has
        using var batch = Copy.Sample(2, 0);
        var input = batch.Input;
        var comparison = ArchitectureMatch.Compare(model, config, input);
        Assert.True(comparison.Same, comparison.Reason);
        Assert.True(model.training);   // mode restored
    }

    [Fact]
    public void A_config_with_other_shapes_is_a_different_architecture_and_names_the_tensor()
    {
        using var model = Gpt(Small());
        using var batch = Copy.Sample(2, 0);
        var input = batch.Input;
        var comparison = ArchitectureMatch.Compare(model, (Small() with { Dim = 32 }).For(Copy), input);
        Assert.Equal(ArchitectureVerdict.Different, comparison.Verdict);
        Assert.Matches(@"\[16\] in the model but \[32\] in the build", comparison.Reason);
        var deeper = ArchitectureMatch.Compare(model, (Small() with { Layers = 2 }).For(Copy), input);
        Assert.Contains("blocks.1.", deeper.Reason);
        Assert.Contains("is only in the build", deeper.Reason);
    }

    [Fact]
    public void Same_tensors_with_another_forward_is_a_different_architecture()
    {
        manual_seed(0);
        using var model = new LinearConfig(Doubled: true).Build();
        using var input = randn(2, 4);
        var comparison = ArchitectureMatch.Compare(model, new LinearConfig(Doubled: false), input);
        Assert.Equal(ArchitectureVerdict.Different, comparison.Verdict);
        Assert.Contains("computes something else", comparison.Reason);
        Assert.True(ArchitectureMatch.Compare(model, new LinearConfig(Doubled: true), input).Same);
    }

    [Fact]
    public void A_model_whose_forward_throws_is_reported_with_the_exception()
    {
        using var model = new Broken();
        using var batch = Copy.Sample(2, 0);
        var input = batch.Input;
        var comparison = ArchitectureMatch.Compare(model, Small().For(Copy), input);
        Assert.Equal(ArchitectureVerdict.ModelForwardFailed, comparison.Verdict);
        Assert.Contains("its forward fails", comparison.Reason);
    }

    [Fact]
    public void A_model_that_reads_the_next_position_is_not_passed_as_causal_without_a_declaration()
    {
        using var leaky = new PeekAhead(Gpt(Small()));
        Assert.Null(CausalityDeclaration.Of(leaky));
        var undeclared = SanityChecks.BatchDependencies(leaky, Copy, new SanityOptions { Causal = CausalityDeclaration.Of(leaky) });
        Assert.Equal(CausalityVerdict.NotDeclared, undeclared.Causality);
        Assert.False(undeclared.CausalChecked);
        Assert.Contains("causality not checked (declare it: implement IDeclaresCausality", undeclared.Summary);
        Assert.Contains("read later positions", undeclared.Summary);   // what was measured is still said
        Assert.True(undeclared.FutureInfluence > 1e-4, undeclared.ToString());

        using var declared = new DeclaredCausalPeekAhead(Gpt(Small()));
        var check = SanityChecks.BatchDependencies(declared, Copy, new SanityOptions { Causal = CausalityDeclaration.Of(declared) });
        Assert.False(check.Passed, check.ToString());
        Assert.Equal(CausalityVerdict.FutureLeaks, check.Causality);
        Assert.Contains("the future leaks", check.Summary);
    }

    [Fact]
    public void The_declaration_comes_from_the_module_or_its_config_never_from_a_field_name()
    {
        Assert.True(CausalityDeclaration.Of(null, Small(causal: true)));
        Assert.False(CausalityDeclaration.Of(null, Small(causal: false)));
        Assert.True(CausalityDeclaration.Of(null, new MoEConfig(Small(causal: true))));
        Assert.Null(CausalityDeclaration.Of(null, new DeepSetsConfig()));
        using var declared = new DeclaredCausalPeekAhead(Gpt(Small(causal: false)));
        Assert.True(CausalityDeclaration.Of(declared, Small(causal: false)));   // the module's own word wins
    }

    [Fact]
    public void A_model_declared_bidirectional_that_is_in_fact_causal_fails_and_says_so()
    {
        using var model = Gpt(Small(causal: true));
        var check = SanityChecks.BatchDependencies(model, Copy, new SanityOptions { Causal = false });
        Assert.False(check.Passed, check.ToString());
        Assert.Equal(CausalityVerdict.DeclaredBidirectionalButCausal, check.Causality);
        Assert.Contains("in fact causal", check.Summary);
        Assert.Equal(0.0, check.FutureInfluence);
        Assert.True(check.PastInfluence > 1e-4);
        // Declared correctly, the same model passes; an encoder declared bidirectional passes too.
        Assert.Equal(CausalityVerdict.Causal, SanityChecks.BatchDependencies(model, Copy, new SanityOptions { Causal = true }).Causality);
        using var encoder = Gpt(Small(causal: false));
        var bidirectional = SanityChecks.BatchDependencies(encoder, Copy, new SanityOptions { Causal = false });
        Assert.True(bidirectional.Passed, bidirectional.ToString());
        Assert.Equal(CausalityVerdict.Bidirectional, bidirectional.Causality);
    }

    [Fact]
    public void Without_attention_no_position_reads_another_and_either_declaration_holds()
    {
        using var model = Gpt(Small(causal: false) with { Attention = false });
        foreach (var declared in new[] { true, false })
        {
            var check = SanityChecks.BatchDependencies(model, Copy, new SanityOptions { Causal = declared });
            Assert.True(check.Passed, check.ToString());
            Assert.Equal(CausalityVerdict.PositionsIndependent, check.Causality);
        }
    }

    [Fact]
    public void The_suite_on_the_models_own_weights_gives_them_back_unchanged()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        manual_seed(0);
        using var model = new TaskMlp(task);
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        var options = new SanityOptions { OverfitMaxSteps = 50, BaselineSteps = 30 };
        var report = SanitySuite.Run(model, task, options);
        Assert.Equal(7, report.Checks.Count);
        Assert.True(report.Get<OverfitBatchCheck>().StepsTaken > 0);   // it did train, in between
        var after = model.parameters().ToList();
        for (int i = 0; i < before.Count; i++) Assert.True(equal(before[i], after[i]), $"parameter {i} changed");
        Assert.All(after, p => Assert.Null(p.grad));
        Assert.True(model.training);
        foreach (var t in before) t.Dispose();
    }

    [Fact]
    public void A_model_whose_forward_throws_fails_the_shape_check_with_the_exceptions_message()
    {
        using var model = new Broken();
        var report = SanitySuite.Run(model, Copy);
        var shape = Assert.IsType<ShapeCheck>(Assert.Single(report.Checks));
        Assert.False(shape.Passed);
        Assert.Contains("forward failed on input [4, 9]: mat1 and mat2 shapes cannot be multiplied", shape.Summary);
        Assert.False(report.AllPassed);
    }
}
