using ArchNotebooks.Library.Profiling;
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
        var sample = SampleInputs.Plan(line, plan, Where, defaultBatch: 1);
        return run =>
        {
            var model = run.Model(sample.Model);
            run.Display(sample.Run(model, input => new LayerSummary(ModelSummary.Of(sample.Model, model, input))));
            return Task.CompletedTask;
        };
    }
}
