namespace ArchNotebooks.Library.Tasks;

/// <summary>
/// The sizes a model takes from a task, read once for every family's <c>For(task)</c>: the input
/// vocabulary or features, the classes, whether it is scored per token, and the longest sequence it
/// will meet. Input is the training split's example shape; MaxLength looks at the generalization
/// split too, because that is where sequences grow, and a model sized for training alone could not
/// be evaluated on it.
/// </summary>
public sealed record TaskShape(long? Vocab, long[] Input, long MaxLength, long Classes, bool PerToken)
{
    public static TaskShape Of(ISyntheticTask task) => new(
        task.VocabSize,
        task.InputShape(),
        task.InputShape(task.HasGeneralizationSplit ? Split.Generalization : Split.Train)[0],
        task.NumClasses,
        task.Loss == LossKind.PerToken);

    /// <summary>Features of each element of a real-valued input (its last dimension).</summary>
    public long Features => Input[^1];

    /// <summary>
    /// The task's example shape when it has <paramref name="rank"/> dimensions; otherwise an error naming what
    /// <paramref name="model"/> reads and what the task gives (rather than an index past the shape's end).
    /// </summary>
    public static long[] Require(ISyntheticTask task, int rank, string model, string reads)
    {
        var shape = task.InputShape();
        if (shape.Length != rank)
            throw new ArgumentException($"{model} reads {reads} per example, but task '{task.Name}' gives {task.InputDType} [{string.Join(", ", shape)}]");
        return shape;
    }

    /// <summary>The vocabulary, for a model that can only read tokens (named in the error for a real-valued task).</summary>
    public long Tokens(string model) => Vocab ?? throw new ArgumentException($"{model} reads tokens");
}
