using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Session;

/// <summary>An input to run a model on for summaries and profiles: a task's test batch, or a tensor of a given shape.</summary>
public static class SampleInputs
{
    public static readonly OptionSpec InputShapeOption =
        new("input-shape", "dims", "input shape with the batch first, e.g. 1,16 (token ids when the model embeds tokens, else Gaussian noise); default: a batch of the model's task", Values.Shape());

    /// <summary>Checks at validation time that an input can be made.</summary>
    public static void Require(TaskChoice? task, long[]? shape, string where, string name)
    {
        if (task is null && shape is null)
            throw new ArchUsageException($"{where}: what input should {name} see? It was not built for a task; give --task <task> or --input-shape 1,16.");
    }

    /// <summary>The input on the model's device (the caller disposes it).</summary>
    public static Tensor For(Module<Tensor, Tensor> model, TaskChoice? task, long[]? shape, int batch, long seed = 0)
    {
        var device = model.device;
        if (shape is not null)
        {
            manual_seed(seed);   // repeatable noise; the binding offers the global generator only
            var embedding = model.modules().OfType<Embedding>().FirstOrDefault();
            return embedding is not null ? randint(embedding.NumEmbeddings, shape, ScalarType.Int64, device) : randn(shape, ScalarType.Float32, device);
        }
        var sample = task!.Task.Sample(batch, seed, Split.Test, device);
        sample.Target.Dispose();
        return sample.Input;
    }

    public static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
