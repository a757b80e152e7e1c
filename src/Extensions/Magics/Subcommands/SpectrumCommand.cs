using ArchNotebooks.Extensions.Analysis;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Analysis;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary><c>#!arch spectrum &lt;model&gt;</c>: the power spectrum of each layer's activations along sequence or space, and the singular values of each weight matrix.</summary>
public sealed class SpectrumCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("spectrum", "frequency content of each layer's activations (layers × frequency) and singular values of each weight",
        [new ArgumentSpec("model", "variable holding a model")],
        [
            TaskOption("default: the task the model was built for; a test batch is the input"), TaskConfigOption, SampleInputs.InputShapeOption,
            new OptionSpec("batch", "n", "batch size of the task's sample", Values.Int(1, 65536), "32"),
            new OptionSpec("axis", "n", "axis of each layer output to transform (default: 1, the sequence of [batch, sequence, features]; 2 for 4-D and 5-D outputs; negative counts from the end)", Values.Long()),
        ],
        [
            new("#!arch spectrum m", "each layer's power spectrum along the sequence on a test batch, and every weight's singular values"),
            new("#!arch spectrum cnn --axis -1", "along the last axis (the width of [batch, channels, height, width])"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var sample = SampleInputs.Plan(line, plan, Where, defaultBatch: 32);
        long? axis = line.Value<long>("axis");
        return run =>
        {
            var model = run.Model(sample.Model);
            run.Display(sample.Run(model, input => new SpectrumView(Spectrum.Of(sample.Model, model, input, axis))));
            return Task.CompletedTask;
        };
    }
}
