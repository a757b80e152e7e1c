using System.Globalization;
using System.Reflection;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Tasks;

namespace ArchNotebooks.Extensions.Magics.Catalog;

/// <summary>A synthetic task as <c>#!arch</c> names it.</summary>
public sealed record TaskEntry(string Name, Type Type, string Description);

/// <summary>A task chosen on a magic line: its name as logged ("copy" or "copy(length=4)") and the instance.</summary>
public sealed record TaskChoice(string Name, ISyntheticTask Task);

/// <summary>The library's synthetic tasks by short name; <c>--task-config</c> sets their constructor parameters.</summary>
public static class TaskCatalog
{
    public static IReadOnlyList<TaskEntry> All { get; } =
    [
        new("copy", typeof(CopyTask), "reproduce a token sequence"),
        new("reverse", typeof(ReverseTask), "output the sequence backwards"),
        new("sort", typeof(SortTask), "output the sequence sorted"),
        new("recall", typeof(AssociativeRecallTask), "associative recall: the value stored under a queried key"),
        new("induction", typeof(InductionHeadsTask), "induction heads: continue a repeated pattern"),
        new("parity", typeof(ParityTask), "XOR of n bits"),
        new("modadd", typeof(ModularAdditionTask), "(a + b) mod p, grokking-style split"),
        new("setsum", typeof(SetSumTask), "sum of a set of one-hot digits"),
        new("setmax", typeof(SetMaxTask), "maximum of a set of one-hot digits"),
        new("rotated-shapes", typeof(RotatedShapesTask), "classify pentominoes; generalisation to unseen rotations"),
        new("video", typeof(MovingShapesVideoTask), "classify how a shape moves across frames"),
        new("shortest-path", typeof(ShortestPathTask), "hop distance of every node from a source on random graphs; generalisation to larger graphs"),
    ];

    public static TaskEntry Find(string name, string where) =>
        All.FirstOrDefault(t => t.Name == name.ToLowerInvariant())
        ?? throw new ArchUsageException($"{where}: unknown task '{name}'.{Suggestions.DidYouMean(name, All.Select(t => t.Name))}\nTasks: {string.Join(", ", All.Select(t => t.Name))}.");

    /// <summary>Constructor parameters a task takes, e.g. "symbols, length, generalizationLength, testFraction".</summary>
    public static IReadOnlyList<ParameterInfo> Parameters(TaskEntry entry) =>
        entry.Type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters();

    /// <summary>Creates the task with <paramref name="settings"/> (name=value) for its constructor parameters, the rest at their defaults.</summary>
    public static TaskChoice Create(string name, IReadOnlyList<KeyValuePair<string, string>>? settings, string where)
    {
        var entry = Find(name, where);
        var parameters = Parameters(entry);
        var values = parameters.Select(p => p.HasDefaultValue ? p.DefaultValue : null).ToArray();
        foreach (var (key, text) in settings ?? [])
        {
            int i = Array.FindIndex(parameters.ToArray(), p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase));
            if (i < 0)
                throw new ArchUsageException($"{where}: task {entry.Name} has no setting '{key}'.{Suggestions.DidYouMean(key, parameters.Select(p => p.Name!))} Settings: {string.Join(", ", parameters.Select(p => $"{p.Name}={Values.Format(p.DefaultValue)}"))}.");
            values[i] = ConvertSetting(text, parameters[i].ParameterType, $"{where}: {entry.Name} {parameters[i].Name}");
        }
        try
        {
            var task = (ISyntheticTask)Activator.CreateInstance(entry.Type, values)!;
            var label = settings is { Count: > 0 } ? $"{entry.Name}({string.Join(",", settings.Select(s => $"{s.Key}={s.Value}"))})" : entry.Name;
            return new TaskChoice(label, task);
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException bad)
        {
            throw new ArchUsageException($"{where}: task {entry.Name} rejects these settings: {bad.Message}");
        }
    }

    static object ConvertSetting(string text, Type type, string where)
    {
        try
        {
            if (type == typeof(bool)) return bool.Parse(text);
            return Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArchUsageException($"{where}: expected {(type == typeof(double) ? "a number" : type == typeof(bool) ? "true or false" : "a whole number")}, got '{text}'");
        }
    }
}
