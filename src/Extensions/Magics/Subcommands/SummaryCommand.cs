using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary><c>#!arch summary &lt;model&gt;</c>: a layer table from one forward pass with hooks.</summary>
public sealed class SummaryCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("summary", "layer table: type, output shape, parameters, FLOPs, output memory, totals",
        [new ArgumentSpec("model", "variable holding a model")],
        [TaskOption("default: the task the model was built for; a test batch is the input"), TaskConfigOption, SampleInputs.InputShapeOption,
         new OptionSpec("batch", "n", "batch size of the task's sample", Values.Int(1, 65536), "1")],
        [
            new("#!arch summary m", "one forward on a test example of m's task; a row per module"),
            new("#!arch summary m --batch 32", "the same for a batch of 32 (FLOPs and memory scale with it)"),
            new("#!arch summary net --input-shape 8,16", "a model not built for a task, on token ids / noise of shape [8, 16]"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, Where);
        var shape = line.Get<long[]>("input-shape");
        var task = shape is null ? ArchPlan.Task(line, target.Provenance, required: false, Where) : null;
        SampleInputs.Require(task, shape, Where, name);
        int batch = line.Get("batch", 1);
        return run =>
        {
            var model = run.Model(name);
            using var input = SampleInputs.For(model, task, shape, batch);
            LayerSummary summary;
            try { summary = LayerSummary.Of(name, model, input); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArchNotebooks.Torch.TorchException)
            {
                throw new ArchUsageException($"{Where}: {name} cannot run on input {SampleInputs.Shape(input)}: {e.Message}");
            }
            run.Display(summary);
            return Task.CompletedTask;
        };
    }
}
