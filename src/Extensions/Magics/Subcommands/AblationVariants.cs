using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Training;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// The variants of a model's config that a line names with --remove, --swap (components or recipe fields)
/// and --all: what <c>#!arch ablate</c> compares and what <c>#!arch tune</c> tunes.
/// </summary>
internal static class AblationVariants
{
    /// <summary>The variants --remove, --swap and --all ask for, in that order; <paramref name="required"/>: at least one.</summary>
    public static List<(string Name, IModelConfig Config, Func<TrainConfig, TrainConfig>? Recipe)> Parse(ParsedLine line, IModelConfig baseline, string model, string where, bool required)
    {
        var points = AblationPoints.For(baseline);
        var variants = new List<(string, IModelConfig, Func<TrainConfig, TrainConfig>?)>();
        foreach (var item in line.Get<List<string>>("remove") ?? [])
        {
            var point = Point(points, item, "--remove", model, where);
            object? off = point.Current switch
            {
                bool b => b ? false : throw new ArchUsageException($"{where}: --remove {item}: {point.Field} is already off in {model}'s config."),
                Enum e when Enum.IsDefined(e.GetType(), "None") => Equals(e, Enum.Parse(e.GetType(), "None"))
                    ? throw new ArchUsageException($"{where}: --remove {item}: {point.Field} is already None in {model}'s config.") : Enum.Parse(e.GetType(), "None"),
                _ => throw new ArchUsageException($"{where}: --remove {item}: {point.Field} ({Values.Format(point.Current)}) is not something to remove; swap it instead: --swap {item}=<{string.Join("|", point.Alternatives.Select(Values.Format))}>."),
            };
            variants.Add(($"no-{point.Field.Split('.')[^1].ToLowerInvariant()}", AblationPoints.Ablate(baseline, point.Field, off), null));
        }
        foreach (var (key, text) in line.Get<List<KeyValuePair<string, string>>>("swap") ?? [])
        {
            // A recipe field (optimizer, schedule, lr, ...) keeps the baseline model and changes how it is trained.
            if (RecipeSwaps.TryParse(key, text, where, out var change))
            {
                variants.Add(($"{key.ToLowerInvariant()}={text}", baseline, change));
                continue;
            }
            var point = Point(points, key, "--swap", model, where);
            var value = SwapValue(point, text, ConfigFields.Resolve(baseline, point.Field, where).Type, $"{where}: --swap {key}");
            if (Equals(value, point.Current)) throw new ArchUsageException($"{where}: --swap {key}: {point.Field} is already {Values.Format(value)} in {model}'s config.");
            variants.Add(($"{point.Field.Split('.')[^1]}={Values.Format(value)}", AblationPoints.Ablate(baseline, point.Field, value), null));
        }
        if (line.Flag("all")) variants.AddRange(AblationPoints.Variants(baseline).Where(v => variants.All(x => x.Item1 != v.name)).Select(v => (v.name, v.config, (Func<TrainConfig, TrainConfig>?)null)));
        if (required && variants.Count == 0)
            throw new ArchUsageException($"{where}: nothing to ablate; give --remove, --swap or --all. Points of {model}: {string.Join(", ", points.Select(p => p.Field))}.");
        var duplicate = variants.GroupBy(v => v.Item1).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArchUsageException($"{where}: the variant {duplicate.Key} is asked for twice.");
        return variants;
    }

    static AblationPoint Point(IReadOnlyList<AblationPoint> points, string item, string option, string model, string where) =>
        points.FirstOrDefault(p => string.Equals(p.Field, item, StringComparison.OrdinalIgnoreCase))
        ?? (points.Where(p => string.Equals(p.Field.Split('.')[^1], item, StringComparison.OrdinalIgnoreCase)).ToList() is { Count: 1 } one ? one[0] : null)
        ?? throw new ArchUsageException($"{where}: {option} {item}: {model}'s config has no ablation point '{item}'.{Suggestions.DidYouMean(item, points.Select(p => p.Field.Split('.')[^1].ToLowerInvariant()))}\nPoints: {string.Join(", ", points.Select(p => p.Field))} (#!arch points {model} describes them).");

    static object? SwapValue(AblationPoint point, string text, Type type, string where)
    {
        var byText = point.Alternatives.Append(point.Current).Where(a => string.Equals(Values.Format(a), text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byText.Count > 0) return byText[0];
        var partial = point.Alternatives.Where(a => Values.Format(a).Contains(text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (partial.Count == 1) return partial[0];
        try { return ConfigFields.Parse(text, type, where); }
        catch (ArchUsageException e) { throw new ArchUsageException($"{e.Message} Alternatives of {point.Field}: {string.Join(", ", point.Alternatives.Select(Values.Format))}."); }
    }
}
