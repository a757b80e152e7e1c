using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch.Optim;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// Training-recipe fields as ablation points: <c>--swap optimizer=lion</c> or <c>--swap lr=3e-3</c> makes a
/// variant that trains the baseline model under a changed recipe. Names are the logged recipe's
/// (<see cref="TrainingRecipe.Of"/>), so a swap reads like the run log.
/// </summary>
internal static class RecipeSwaps
{
    static readonly Dictionary<string, Func<string, Func<TrainConfig, TrainConfig>>> Fields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["optimizer"] = v => { var k = (OptimizerKind)Values.Choice<OptimizerKind>()(v); return t => t with { Optimizer = k }; },
        ["schedule"] = v => { var d = (Decay)Values.Choice<Decay>()(v); return t => t with { Schedule = d }; },
        ["lr"] = v => { var x = (double)Values.Positive()(v); return t => t with { LearningRate = x }; },
        ["weight_decay"] = v => { var x = NonNegative(v); return t => t with { WeightDecay = x }; },
        ["momentum"] = v => { var x = NonNegative(v); return t => t with { Momentum = x }; },
        ["dropout"] = v => { var x = NonNegative(v); return t => t with { Dropout = x }; },
        ["label_smoothing"] = v => { var x = NonNegative(v); return t => t with { LabelSmoothing = x }; },
        ["clip_grad_norm"] = v => { var x = (double)Values.Positive()(v); return t => t with { ClipGradNorm = x }; },
        ["warmup_steps"] = v => { var n = (int)Values.Int(0)(v); return t => t with { WarmupSteps = n }; },
        ["batch_size"] = v => { var n = (int)Values.Int(1)(v); return t => t with { BatchSize = n }; },
        ["loss"] = v => { var loss = Builtin(v); return t => t with { Loss = loss }; },
        ["mixup"] = v => { var a = (double)Values.Positive()(v); return t => t with { Augmentations = [.. t.Augmentations ?? [], new Mixup(a)] }; },
        ["masking"] = v => { var f = Fraction(v); return t => t with { Augmentations = [.. t.Augmentations ?? [], new RandomMasking(f)] }; },
    };

    /// <summary>The recipe fields a swap can name.</summary>
    public static IEnumerable<string> Names => Fields.Keys;

    /// <summary>True when <paramref name="key"/> names a recipe field; <paramref name="change"/> then applies the parsed value.</summary>
    public static bool TryParse(string key, string text, string where, out Func<TrainConfig, TrainConfig>? change)
    {
        change = null;
        if (!Fields.TryGetValue(key.Replace('-', '_'), out var parse)) return false;
        try { change = parse(text); }
        catch (FormatException e) { throw new ArchUsageException($"{where}: --swap {key}={text}: {e.Message}"); }
        return true;
    }

    static double NonNegative(string text) => text.Trim() == "0" ? 0 : (double)Values.Positive()(text);

    static TrainingLoss Builtin(string name)
    {
        try { return TrainingLoss.Named(name); }
        catch (ArgumentException e) { throw new FormatException(e.Message); }
    }

    static double Fraction(string text)
    {
        var f = NonNegative(text);
        return f < 1 ? f : throw new FormatException($"a masked fraction is below 1, got {text}");
    }
}
