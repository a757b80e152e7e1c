using ArchNotebooks.Library.Profiling;
using ArchNotebooks.Library.Runtime;
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
        var sample = SampleInputs.Plan(line, plan, Where, defaultBatch: 32);
        int repeats = line.Get("repeat", 10);
        return run =>
        {
            var model = run.Model(sample.Model);
            bool peakReset = ProcessMemory.ResetPeak();
            var profile = sample.Run(model, input => LatencyProfile.Of(sample.Model, model, input, repeats, run.Cancellation));
            run.Display(new LayerProfile(profile) { Memory = ProcessMemory.Read(), PeakSinceStart = peakReset });
            run.ThrowIfInterrupted();
            return Task.CompletedTask;
        };
    }
}
