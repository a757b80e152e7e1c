using System.Text.RegularExpressions;
using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>
/// The magics on models a researcher wrote in a cell: check and ablate test exactly the model the
/// variable holds, and say so when they cannot. Each case here passed silently (or refused to run)
/// before the checks compared a variable with its config and read declared causality.
/// </summary>
[Collection("magics")]
public sealed class OwnModelTests(MagicSession s)
{
    const string Quick = "--task copy --task-config symbols=4,length=3 --overfit-steps 5 --baseline-steps 3 --batch 8";
    const string Module = "ArchNotebooks.Library.Modules.Module<Tensor, Tensor>";
    const string Gpt = "new TransformerConfig(Dim: 16, Layers: 1, Heads: 2, MaxLen: 16, Causal: true).For(new CopyTask(symbols: 4, length: 3))";

    [Fact]
    public void Check_of_a_module_whose_forward_throws_fails_with_the_exceptions_message()
    {
        // Its Config builds a working transformer; the checks used to test that instead and pass.
        var setup = s.Run($$"""
            class BrokenNet : {{Module}}
            {
                public readonly IModelConfig Config = {{Gpt}};
                readonly ArchNotebooks.Library.Layers.Linear proj;
                public BrokenNet() => proj = register_module("proj", new ArchNotebooks.Library.Layers.Linear(5, 3));   // the inputs have 7 tokens
                public override Tensor forward(Tensor x) => proj.call(x.to(ScalarType.Float32));
            }
            var broken = new BrokenNet();
            """);
        Assert.Null(setup.Error);
        var r = s.Run($"#!arch check broken {Quick}");
        Assert.Null(r.Error);
        var text = r.Displays[^1][MimeBundle.PlainText].ToString()!;
        Assert.Contains("sanity checks on copy(symbols=4,length=3): 0/1 passed", text);
        Assert.Matches(@"FAIL shape: forward failed on input \[4, 7\]: .*mat1 and mat2 shapes cannot be multiplied", text);
        Assert.Contains(r.Updates, u => u[MimeBundle.PlainText].ToString()!.Contains("on its own weights"));
    }

    [Fact]
    public void Check_and_ablate_refuse_a_config_that_builds_another_architecture()
    {
        var setup = s.Run($$"""
            class WiderNet : {{Module}}
            {
                public readonly IModelConfig Config = {{Gpt}};
                readonly {{Module}} inner;
                public WiderNet() => inner = register_module("inner", ((TransformerConfig)Config with { Dim = 32 }).Build());
                public override Tensor forward(Tensor x) => inner.call(x);
            }
            var wider = new WiderNet();
            """);
        Assert.Null(setup.Error);
        var check = s.Run($"#!arch check wider {Quick}");
        Assert.NotNull(check.Error);
        Assert.Contains("wider's config does not build the model wider holds, so checks of fresh models from it would test another model", check.ErrorText);
        Assert.Matches(@"inner\.\S+ \[[\dx]+\] is only in the model", check.ErrorText);
        Assert.Contains("#!arch check wider --own-weights", check.ErrorText);
        Assert.Empty(check.Displays);   // nothing ran
        var ablate = s.Run("#!arch ablate wider --task copy --task-config symbols=4,length=3 --remove ffn --seeds 1 --steps 1 --no-log");
        Assert.NotNull(ablate.Error);
        Assert.Contains("so an ablation of fresh models from it would test another model", ablate.ErrorText);
        var scale = s.Run("#!arch scale wider --task copy --task-config symbols=4,length=3 --sizes 8,16 --seeds 1 --steps 1 --no-log");
        Assert.Contains("so scaling fresh models of it would test another model", scale.ErrorText);
        // The model itself can still be checked.
        var own = s.Run($"#!arch check wider --own-weights {Quick}");
        Assert.Null(own.Error);
        Assert.Matches(@"sanity checks on copy\(symbols=4,length=3\): \d/7 passed", own.Displays[^1][MimeBundle.PlainText].ToString()!);
    }

    [Fact]
    public void A_leaky_model_without_a_declaration_is_not_passed_as_causal_and_a_declared_one_fails()
    {
        var setup = s.Run($$"""
            class PeekNext : {{Module}}
            {
                readonly {{Module}} inner;
                public PeekNext() => inner = register_module("inner", {{Gpt}}.Build());
                public override Tensor forward(Tensor x)
                {
                    using var scope = NewDisposeScope();
                    var y = inner.call(x);
                    return y.add(y.roll(-1, 1)).MoveToOuterDisposeScope();   // position t sees t+1's logits
                }
            }
            class CausalPeekNext : PeekNext, IDeclaresCausality { public bool IsCausal => true; }
            var peek = new PeekNext();
            var declaredPeek = new CausalPeekNext();
            """);
        Assert.Null(setup.Error);
        var undeclared = s.Run($"#!arch check peek {Quick}");
        Assert.Null(undeclared.Error);
        var text = undeclared.Displays[^1][MimeBundle.PlainText].ToString()!;
        Assert.Matches(@"batch-dependencies: .*causality not checked \(declare it: implement IDeclaresCausality .*\); as measured the outputs read later positions", text);
        var declared = s.Run($"#!arch check declaredPeek {Quick}");
        Assert.Null(declared.Error);
        var report = declared.Displays[^1][MimeBundle.PlainText].ToString()!;
        Assert.Matches(@"FAIL batch-dependencies: .*declared causal, but position 0's outputs depend on input position 1 \(the future leaks\)", report);
    }

    [Fact]
    public void A_model_built_by_the_magic_is_verified_and_checked_on_fresh_models_of_its_config()
    {
        var r = s.Run("#!arch check m --overfit-steps 5 --baseline-steps 3 --batch 8");
        Assert.Null(r.Error);
        Assert.Contains(r.Updates, u => u[MimeBundle.PlainText].ToString()!.Contains("on fresh models of its config"));
        // The transformer family declares its causality: an encoder is held to being bidirectional.
        Assert.Matches(@"batch-dependencies: .*declared bidirectional: outputs read later positions", Regex.Replace(r.Displays[^1][MimeBundle.PlainText].ToString()!, @"\s+", " "));
    }

    [Fact]
    public void Scale_takes_a_model_variable_and_scales_its_verified_config_on_its_task()
    {
        var r = s.Run("#!arch scale m --sizes 8,16 --seeds 1 --steps 2 --no-log");
        Assert.Null(r.Error);
        var text = r.Displays[^1][MimeBundle.PlainText].ToString()!;
        Assert.Contains("m-scaling on copy: test_loss vs parameters", text);
        Assert.Matches(@"(?m)^\s+dim=8\s+N =\s+[\d,]+\s+[\d.]+", text);
    }
}
