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

    /// <summary>
    /// Reads the model, --task/--input-shape and --batch of a per-layer subcommand (summary, profile)
    /// and checks, when the cell is validated, that an input can be made.
    /// </summary>
    public static Sample Plan(ParsedLine line, ArchPlan plan, string where, int defaultBatch)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, where);
        var shape = line.Get<long[]>("input-shape");
        var task = shape is null ? ArchPlan.Task(line, target.Provenance, required: false, where) : null;
        Require(task, shape, where, name);
        return new Sample(name, task, shape, line.Get("batch", defaultBatch), where);
    }

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

/// <summary>The input a per-layer subcommand runs its model on (see <see cref="SampleInputs.Plan"/>).</summary>
public sealed record Sample(string Model, TaskChoice? Task, long[]? Shape, int Batch, string Where)
{
    /// <summary>Runs <paramref name="measure"/> on a fresh input; a model that cannot run on it is a usage error naming the input.</summary>
    public T Run<T>(Module<Tensor, Tensor> model, Func<Tensor, T> measure)
    {
        using var input = SampleInputs.For(model, Task, Shape, Batch);
        try { return measure(input); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or TorchException)
        {
            throw new ArchUsageException($"{Where}: {Model} cannot run on input {SampleInputs.Shape(input)}: {e.Message}");
        }
    }
}
