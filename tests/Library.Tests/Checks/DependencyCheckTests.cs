using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Checks;

/// <summary>The backprop dependency chart: healthy models pass; batch mixing and future leaks fail it.</summary>
public class DependencyCheckTests
{
    static readonly SetMaxTask SetTask = new(digits: 6, size: 3);
    static readonly CopyTask Copy = new(symbols: 6, length: 4);
    static readonly SanityOptions CausalOptions = new() { Causal = true };

    /// <summary>Adds the batch mean of the wrapped model's outputs: every example now sees every other one.</summary>
    sealed class BatchMean : Module<Tensor, Tensor>
    {
        readonly Module<Tensor, Tensor> inner;
        public BatchMean(Module<Tensor, Tensor> inner) => this.inner = register_module("inner", inner);
        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = inner.call(x);
            return (y + y.mean(new long[] { 0 }, keepdim: true)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// The classic reshape bug: (N, T, C) logits transposed to (T, N, C) and reshaped back as if they
    /// were still batch-major, so rows of different examples are interleaved. Shapes stay right.
    /// </summary>
    sealed class TransposeThenView : Module<Tensor, Tensor>
    {
        readonly Module<Tensor, Tensor> inner;
        public TransposeThenView(Module<Tensor, Tensor> inner) => this.inner = register_module("inner", inner);
        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = inner.call(x);
            return y.transpose(0, 1).contiguous().reshape(y.shape).MoveToOuterDisposeScope();
        }
    }

    static Module<Tensor, Tensor> Gpt(bool causal)
    {
        manual_seed(0);
        return new TransformerConfig(Layers: 1, Dim: 16, Heads: 2, Causal: causal).For(Copy).Build();
    }

    [Fact]
    public void A_healthy_model_on_float_inputs_keeps_examples_apart()
    {
        manual_seed(0);
        using var model = new TaskMlp(SetTask);
        var check = SanityChecks.BatchDependencies(model, SetTask);
        Assert.True(check.Passed, check.ToString());
        Assert.Equal("input", check.Probe);
        Assert.Equal(4, check.Influence.Length);
        Assert.Equal(0.0, check.CrossInfluence);
        Assert.True(check.OwnInfluence > 1e-4, check.ToString());
        Assert.False(check.CausalChecked);
        Assert.True(model.training);                                  // mode restored
        Assert.All(model.parameters(), p => Assert.Null(p.grad));      // weights' gradients untouched
    }

    [Fact]
    public void A_layer_that_adds_the_batch_mean_fails()
    {
        manual_seed(0);
        using var model = new BatchMean(new TaskMlp(SetTask));
        var check = SanityChecks.BatchDependencies(model, SetTask);
        Assert.False(check.Passed, check.ToString());
        Assert.True(check.CrossInfluence > 1e-4, check.ToString());
        // Every example leaks into every other one.
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                Assert.True(check.Influence[i][j] > 0, $"example {j} -> outputs of {i}: {check}");
        Assert.Contains("leak into each other", check.Summary);
    }

    [Fact]
    public void A_causal_transformer_passes_and_its_future_positions_get_exactly_zero_gradient()
    {
        using var model = Gpt(causal: true);
        var check = SanityChecks.BatchDependencies(model, Copy, CausalOptions);
        Assert.True(check.Passed, check.ToString());
        Assert.True(check.CausalChecked);
        Assert.Equal(0.0, check.FutureInfluence);
        Assert.Equal(0.0, check.CrossInfluence);
        Assert.True(check.OwnInfluence > 0);
        Assert.Contains("embeddings", check.Probe);   // tokens are charted at the embedding outputs
    }

    [Fact]
    public void A_bidirectional_transformer_declared_causal_leaks_the_future()
    {
        using var model = Gpt(causal: false);
        var check = SanityChecks.BatchDependencies(model, Copy, CausalOptions);
        Assert.False(check.Passed, check.ToString());
        Assert.Equal(0.0, check.CrossInfluence);                  // the batch is fine; time is not
        Assert.True(check.FutureInfluence > 1e-4, check.ToString());
        Assert.Equal((0L, 1L), check.FirstLeak);
        Assert.Contains("the future leaks", check.Summary);
        // Not declared causal, the same model passes: bidirectional attention is its design.
        Assert.True(SanityChecks.BatchDependencies(model, Copy).Passed);
    }

    [Fact]
    public void A_transpose_then_reshape_across_the_batch_fails_even_with_the_right_shapes()
    {
        using var model = new TransposeThenView(Gpt(causal: true));
        Assert.True(SanityChecks.Shape(model, Copy).Passed);     // the shape check cannot see this bug
        var check = SanityChecks.BatchDependencies(model, Copy, CausalOptions);
        Assert.False(check.Passed, check.ToString());
        Assert.True(check.CrossInfluence > 1e-4, check.ToString());
    }

    [Fact]
    public void Token_inputs_without_an_embedding_cannot_be_charted_and_say_so()
    {
        using var model = new TaskMlp(Copy);   // reads tokens through one_hot, not an Embedding layer
        var check = SanityChecks.BatchDependencies(model, Copy);
        Assert.False(check.Passed);
        Assert.Contains("no Embedding layer", check.Summary);
    }

    /// <summary>Reads token ids that arrive as numbers (a CSV's token columns): casts them to ids, then the wrapped model embeds them.</summary>
    sealed class IdsFromNumbers : Module<Tensor, Tensor>
    {
        readonly Module<Tensor, Tensor> inner;
        public IdsFromNumbers(Module<Tensor, Tensor> inner) => this.inner = register_module("inner", inner);
        public override Tensor forward(Tensor x) => inner.call(x.to(ScalarType.Int64));
    }

    /// <summary>The copy task with its token ids stored as float32, as a table reader gives them.</summary>
    static ArchNotebooks.Library.Data.TensorDataset NumericCopy()
    {
        using var scope = NewDisposeScope();
        var batch = Copy.Sample(64, 0);
        return ArchNotebooks.Library.Data.Dataset.FromTensors(batch.Input.to(ScalarType.Float32), batch.Target, LossKind.PerToken, name: "numeric-copy", numClasses: Copy.NumClasses);
    }

    [Fact]
    public void Numbers_the_model_turns_into_ids_are_charted_through_its_embeddings()
    {
        using var task = NumericCopy();
        // Before, no gradient reached the float input through the cast, so every example "did not depend on its own input".
        using var model = new IdsFromNumbers(Gpt(causal: true));
        var check = SanityChecks.BatchDependencies(model, task, CausalOptions);
        Assert.True(check.Passed, check.ToString());
        Assert.Contains("embeddings that read the input as ids", check.Probe);
        Assert.True(check.OwnInfluence > 1e-6, check.ToString());
        Assert.True(check.CausalChecked);
        Assert.Equal(0.0, check.FutureInfluence);

        // The same probe still sees what is wrong: a batch mean mixes examples, a bidirectional model declared causal leaks.
        using var mixed = new BatchMean(new IdsFromNumbers(Gpt(causal: true)));
        var mixing = SanityChecks.BatchDependencies(mixed, task, CausalOptions);
        Assert.False(mixing.Passed, mixing.ToString());
        Assert.True(mixing.CrossInfluence > 1e-6, mixing.ToString());
        using var leaky = new IdsFromNumbers(Gpt(causal: false));
        var leak = SanityChecks.BatchDependencies(leaky, task, CausalOptions);
        Assert.False(leak.Passed, leak.ToString());
        Assert.Equal(CausalityVerdict.FutureLeaks, leak.Causality);
    }

    public static TheoryData<string> Families => new()
    {
        "deepsets", "set-transformer-isab", "c4", "video-factorized", "video-divided", "video-conv3d",
        "memory", "hourglass", "moe", "gpt-causal", "gpt-alibi-causal", "gpt-rotary-local-causal",
        "lstm-causal", "gru-bidirectional", "rnn-causal", "graph-max",
    };

    static (IModelConfig config, ISyntheticTask task, bool causal) Family(string name) => name switch
    {
        "deepsets" => (new DeepSetsConfig(Hidden: 16, Pooling: SetPooling.Max), SetTask, false),
        "set-transformer-isab" => (new SetTransformerConfig(Dim: 16, Heads: 2, Blocks: 1, InducingPoints: 2), SetTask, false),
        "c4" => (new C4Config(Hidden: 4), new RotatedShapesTask(classes: 4, size: 10), false),
        "video-factorized" => (new VideoConfig(Dim: 16), new MovingShapesVideoTask(frames: 4, size: 9), false),
        "video-divided" => (new VideoConfig(Dim: 16, Architecture: VideoArchitecture.DividedSpaceTime), new MovingShapesVideoTask(frames: 4, size: 9), false),
        "video-conv3d" => (new VideoConfig(Dim: 16, Architecture: VideoArchitecture.Conv3d), new MovingShapesVideoTask(frames: 4, size: 9), false),
        "memory" => (new KeyValueMemoryConfig(Dim: 16), new AssociativeRecallTask(), false),
        "hourglass" => (new HourglassConfig(Dim: 16, Heads: 2, Stages: 1), Copy, false),
        "moe" => (new MoEConfig(new TransformerConfig(Layers: 1, Dim: 16, Heads: 2, Causal: true), Experts: 4, TopK: 2, ExpertHidden: 16), Copy, true),
        "gpt-causal" => (new TransformerConfig(Layers: 2, Dim: 16, Heads: 2, Causal: true), Copy, true),
        "graph-max" => (new GraphNetworkConfig(Hidden: 8, Layers: 2, Aggregation: GraphAggregation.Max), new ShortestPathTask(), false),
        "lstm-causal" => (new RecurrentConfig(Hidden: 16, Embed: 8), Copy, true),
        "gru-bidirectional" => (new RecurrentConfig(Hidden: 16, Embed: 8, Cell: RecurrentCell.GRU, Bidirectional: true), Copy, false),
        "rnn-causal" => (new RecurrentConfig(Hidden: 16, Embed: 8, Cell: RecurrentCell.RNN, Layers: 2), Copy, true),
        "gpt-alibi-causal" => (new TransformerConfig(Layers: 1, Dim: 16, Heads: 2, Causal: true, Position: PositionKind.ALiBi), Copy, true),
        _ => (new TransformerConfig(Layers: 1, Dim: 16, Heads: 2, Causal: true, Position: PositionKind.Rotary, Pattern: AttentionPattern.Local, Window: 3), Copy, true),
    };

    /// <summary>Every family in the library keeps the examples of a batch apart (and causal ones keep the future out).</summary>
    [Theory, MemberData(nameof(Families))]
    public void Every_family_keeps_its_examples_apart(string name)
    {
        var (config, task, causal) = Family(name);
        manual_seed(0);
        using var model = config.For(task).Build();
        var check = SanityChecks.BatchDependencies(model, task, new SanityOptions { Causal = causal });
        Assert.True(check.Passed, $"{name}: {check}");
        Assert.Equal(causal, check.CausalChecked);
    }
}
