using System.Globalization;
using ArchNotebooks.Extensions.Attention;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary><c>#!arch attention &lt;model&gt;</c>: attention maps of every layer and head for one input, with token labels.</summary>
public sealed class AttentionCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("attention", "attention maps for every attention site and head of one input, labelled, with a per-head pattern summary and rollout",
        [new ArgumentSpec("model", "variable holding a model with attention layers")],
        [
            new OptionSpec("input", "tokens", "token ids separated by spaces or commas, e.g. \"3 1 4 1 5\" (default: a test example of the model's task)"),
            new OptionSpec("labels", "a,b,...", "a label per token for the axes (default: the token ids)", Values.Words("labels")),
            TaskOption("default: the task the model was built for; used when --input is not given"), TaskConfigOption,
            SeedOption("which test example to take when --input is not given"),
        ],
        [
            new("#!arch attention m", "a test example of m's task; every layer and head, with rollout"),
            new("#!arch attention m --input \"3 1 4 8 9 9 9\"", "a chosen token sequence"),
            new("#!arch attention m --input \"0 1 2\" --labels the,cat,sat", "tokens labelled with words"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, Where);
        var labels = line.Get<List<string>>("labels");
        long[]? tokens = line.Get<string>("input") is { } text ? Tokens(text) : null;
        var task = tokens is null ? ArchPlan.Task(line, target.Provenance, required: false, Where) : null;
        if (tokens is null && task is null)
            throw new ArchUsageException($"{Where}: what input? {name} was not built for a task; give --input \"1 2 3\" or --task <task>.");
        long? vocab = target.Current?.modules().OfType<Embedding>().FirstOrDefault()?.NumEmbeddings ?? target.Provenance?.Task?.Task.VocabSize;
        if (tokens is not null && vocab is { } v && tokens.Any(t => t >= v))
            throw new ArchUsageException($"{Where}: bad value for --input: token {tokens.First(t => t >= v)} is outside {name}'s vocabulary (ids 0..{v - 1}).");
        if (labels is not null && tokens is not null && labels.Count != tokens.Length)
            throw new ArchUsageException($"{Where}: bad value for --labels: {labels.Count} labels for {tokens.Length} tokens.");
        long seed = line.Get("seed", 0L);
        return run =>
        {
            var model = run.Model(name);
            using var scope = NewDisposeScope();
            var input = tokens is not null ? tensor(tokens, [1, tokens.Length], device: model.device) : Sample(task!, seed, model);
            var shown = labels ?? (task?.Task.VocabSize is null && tokens is null
                ? Enumerable.Range(0, (int)input.shape[1]).Select(i => $"#{i}").ToList()
                : Ids(input));
            if (shown.Count != input.shape[1]) throw new ArchUsageException($"{Where}: bad value for --labels: {shown.Count} labels for {input.shape[1]} tokens.");
            AttentionMaps maps;
            try { maps = AttentionSites.Of(model, input, shown); }
            catch (ArgumentException e) when (e.Message.Contains("has no attention layers", StringComparison.Ordinal))
            {
                throw new ArchUsageException($"{Where}: {name} ({model.GetType().Name}) has no attention layers that report weights; nothing to show.");
            }
            catch (Exception e) when (e is ArgumentException or TorchException or IndexOutOfRangeException)
            {
                throw new ArchUsageException($"{Where}: {name} cannot read this input ({SampleInputs.Shape(input)}): {e.Message}");
            }
            run.Display(maps);
            return Task.CompletedTask;
        };
    }

    long[] Tokens(string text)
    {
        var parts = text.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ArchUsageException($"{Where}: bad value for --input: no tokens given; expected ids such as \"3 1 4\".");
        return parts.Select(p => long.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id >= 0 ? id
            : throw new ArchUsageException($"{Where}: bad value for --input: '{p}' is not a token id; expected whole numbers such as \"3 1 4\" (use --labels to name them).")).ToArray();
    }

    static Tensor Sample(Catalog.TaskChoice task, long seed, Module<Tensor, Tensor> model)
    {
        var batch = task.Task.Sample(1, seed, Split.Test, model.device);
        batch.Target.Dispose();
        return batch.Input;
    }

    static List<string> Ids(Tensor input) =>
        input.dtype == ScalarType.Int64 ? input.to(CPU).data<long>().Select(t => t.ToString(CultureInfo.InvariantCulture)).ToList()
        : Enumerable.Range(0, (int)input.shape[1]).Select(i => $"#{i}").ToList();
}
