using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary><c>#!arch profile &lt;model&gt;</c>: per-layer latency and memory on the model's device.</summary>
public sealed class ProfileCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("profile", "per-layer latency and memory on the model's device",
        [new ArgumentSpec("model", "variable holding a model")],
        [
            TaskOption("default: the task the model was built for; a test batch is the input"), TaskConfigOption, SampleInputs.InputShapeOption,
            new OptionSpec("batch", "n", "batch size of the task's sample", Values.Int(1, 65536), "32"),
            new OptionSpec("repeat", "n", "timed calls per layer (the median is shown)", Values.Int(1, 10_000), "10"),
        ],
        [
            new("#!arch profile m", "every layer of m on a batch of 32 from its task"),
            new("#!arch profile m --batch 256 --repeat 30", "a larger batch, a steadier median"),
            new("#!arch profile net --input-shape 64,128", "a model not built for a task"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, Where);
        var shape = line.Get<long[]>("input-shape");
        var task = shape is null ? ArchPlan.Task(line, target.Provenance, required: false, Where) : null;
        SampleInputs.Require(task, shape, Where, name);
        int batch = line.Get("batch", 32), repeats = line.Get("repeat", 10);
        return run =>
        {
            var model = run.Model(name);
            using var input = SampleInputs.For(model, task, shape, batch);
            LayerProfile profile;
            try { profile = LayerProfile.Of(name, model, input, repeats, run.Cancellation); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArchNotebooks.Torch.TorchException)
            {
                throw new ArchUsageException($"{Where}: {name} cannot run on input {SampleInputs.Shape(input)}: {e.Message}");
            }
            run.Display(profile);
            run.ThrowIfInterrupted();
            return Task.CompletedTask;
        };
    }
}
