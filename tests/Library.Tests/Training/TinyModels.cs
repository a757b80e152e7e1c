using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests;

/// <summary>
/// An MLP that reads any task: token inputs become one-hot vectors, everything is flattened, and
/// per-token tasks get (N, T, C) logits by reshaping. Small enough to train in a second on a CPU.
/// </summary>
sealed class TaskMlp : Module<Tensor, Tensor>
{
    public readonly Linear hidden, output;
    readonly long? vocab;
    readonly long[] logitsShape;
    /// <summary>Multiplies the input by zero: a deliberately broken model that cannot see its data.</summary>
    public bool BlindToInput { get; init; }

    public TaskMlp(ISyntheticTask task, int width = 64)
    {
        vocab = task.VocabSize;
        long features = task.InputShape().Aggregate(1L, (a, b) => a * b) * (vocab ?? 1);
        logitsShape = task.LogitsShape(1);
        long outputs = logitsShape.Skip(1).Aggregate(1L, (a, b) => a * b);
        hidden = register_module("hidden", new Linear(features, width));
        output = register_module("output", new Linear(width, outputs));
    }

    public override Tensor forward(Tensor x)
    {
        var features = (vocab is { } v ? one_hot(x, v).to(ScalarType.Float32) : x).flatten(1);
        if (BlindToInput) features = features.mul(0.0);
        var logits = output.call(hidden.call(features).relu());
        var shape = (long[])logitsShape.Clone();
        shape[0] = x.shape[0];
        return logits.reshape(shape);
    }

    /// <summary>Zeroes the output layer's weight: the hidden layer then gets no gradient at all (a dead layer).</summary>
    public TaskMlp KillOutputWeights()
    {
        using (no_grad()) output.weight.zero_();
        return this;
    }
}
