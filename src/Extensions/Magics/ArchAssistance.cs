using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Magics;

/// <summary>
/// Completion and help for <c>#!arch</c> lines, from the same specs the parser and the help use: the first word
/// completes to subcommands, <c>--</c> to the subcommand's options, a family argument to family names, <c>--task</c>
/// to task names, a model argument to the notebook's variables, and <c>@csharp:</c> to any variable.
/// </summary>
public static class ArchAssistance
{
    private const string VariablePrefix = "@csharp:";

    public static MagicCompletion Complete(string arguments, int cursor, IReadOnlyList<NotebookVariable> variables)
    {
        cursor = Math.Clamp(cursor, 0, arguments.Length);
        int start = cursor;
        while (start > 0 && !char.IsWhiteSpace(arguments[start - 1])) start--;
        var word = arguments[start..cursor];
        var before = arguments[..start].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        if (word.StartsWith(VariablePrefix, StringComparison.Ordinal))
            return Matching(variables.Select(v => VariablePrefix + v.Name), word, start, cursor);
        if (before.Length == 0)
            return Matching(ArchMagic.Specs.Select(s => s.Name).Append("--help"), word, start, cursor);

        var spec = ArchMagic.Specs.FirstOrDefault(s => s.Name == before[0]);
        if (spec is null) return MagicCompletion.None(cursor);
        if (word.StartsWith('-'))
            return Matching(spec.Options.Select(o => "--" + o.Name).Append("--help"), word, start, cursor);

        // A value: of the option just before it, or else the next positional argument.
        if (before.Length > 1 && before[^1].StartsWith("--", StringComparison.Ordinal))
        {
            var option = spec.Option(before[^1][2..]);
            if (option is { IsFlag: false }) return Matching(ValuesOf(option.Name, variables), word, start, cursor);
        }
        var argument = PositionalAt(spec, before.Skip(1).ToList());
        return argument is null ? MagicCompletion.None(cursor) : Matching(ValuesOf(argument.Name, variables), word, start, cursor);
    }

    /// <summary>The help of the subcommand the line names (the overview before one is typed); null for an unknown one.</summary>
    public static string? Help(string arguments, int cursor)
    {
        var first = arguments.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (first is null || first.StartsWith('-')) return ArchHelp.Overview(ArchMagic.Specs);
        var spec = ArchMagic.Specs.FirstOrDefault(s => s.Name == first)
            ?? ArchMagic.Specs.FirstOrDefault(s => s.Name.StartsWith(first, StringComparison.Ordinal));
        return spec is null ? null : ArchHelp.For(spec);
    }

    /// <summary>The positional argument the next word fills, given the words after the subcommand (option values skipped).</summary>
    private static ArgumentSpec? PositionalAt(CommandSpec spec, List<string> words)
    {
        int positionals = 0;
        for (int i = 0; i < words.Count; i++)
        {
            if (words[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (spec.Option(words[i][2..]) is { IsFlag: false }) i++;  // its value
                continue;
            }
            positionals++;
        }
        if (spec.Arguments.Count == 0) return null;
        return positionals < spec.Arguments.Count ? spec.Arguments[positionals] : spec.Arguments[^1].Rest ? spec.Arguments[^1] : null;
    }

    private static IEnumerable<string> ValuesOf(string name, IReadOnlyList<NotebookVariable> variables) => name switch
    {
        "family" => FamilyCatalog.Names,
        "task" => TaskCatalog.All.Select(t => t.Name),
        // "model" takes a variable (or, for some subcommands, a family name for its defaults).
        "model" => ModelVariables(variables).Concat(FamilyCatalog.All.Select(f => f.Name)),
        _ => [],
    };

    /// <summary>Variables holding a module first, then the others (a model may sit behind an interface or a wrapper).</summary>
    private static IEnumerable<string> ModelVariables(IReadOnlyList<NotebookVariable> variables) =>
        variables.OrderBy(v => v.Value is ArchNotebooks.Library.Modules.Module ? 0 : 1).Select(v => v.Name);

    private static MagicCompletion Matching(IEnumerable<string> candidates, string word, int start, int end) =>
        new(candidates.Where(c => c.StartsWith(word, StringComparison.OrdinalIgnoreCase)).Distinct().ToList(), start, end);
}
