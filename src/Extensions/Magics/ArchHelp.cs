using System.Text;
using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Syntax;

namespace ArchNotebooks.Extensions.Magics;

/// <summary>The help texts of <c>#!arch</c>, rendered from the subcommands' specs (and, from the same text, the README reference).</summary>
public static class ArchHelp
{
    public static string Overview(IReadOnlyList<CommandSpec> specs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("#!arch: build, inspect, train and validate architectures from a notebook cell.");
        sb.AppendLine();
        sb.AppendLine("Usage: #!arch <subcommand> [arguments] [--option value] [--flag]");
        sb.AppendLine("One or several #!arch lines may open a cell; C# below them runs afterwards and sees the");
        sb.AppendLine("variables they bound. Every line is checked before any runs. Interrupt stops long work");
        sb.AppendLine("between steps, shows what finished, and leaves the model usable. A value written");
        sb.AppendLine("@csharp:name is the current value of the notebook variable name (e.g. from a parameters cell).");
        sb.AppendLine();
        sb.AppendLine("Subcommands:");
        int width = specs.Max(s => s.Name.Length) + 2;
        foreach (var s in specs) sb.AppendLine($"  {s.Name.PadRight(width)}{s.Summary}");
        sb.AppendLine();
        sb.AppendLine($"Families: {string.Join(", ", FamilyCatalog.All.Select(f => f.Name))}");
        sb.AppendLine($"Tasks:    {string.Join(", ", TaskCatalog.All.Select(t => t.Name))}");
        sb.AppendLine();
        sb.AppendLine("Examples:");
        sb.AppendLine("  #!arch model transformer --name m --task copy --config dim=32,layers=1");
        sb.AppendLine("  #!arch train m --steps 200 --lr 3e-3");
        sb.AppendLine("  #!arch train m --steps @csharp:steps --seed @csharp:seed");
        sb.AppendLine("  #!arch ablate m --remove ffn --swap norm=rms --seeds 3");
        sb.AppendLine("  #!arch runs --last 5");
        sb.AppendLine();
        sb.Append("#!arch <subcommand> --help shows a subcommand's arguments, options and examples.");
        return sb.ToString();
    }

    public static string For(CommandSpec spec)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"#!arch {spec.Name}: {spec.Summary}");
        sb.AppendLine();
        sb.AppendLine("Usage: " + spec.Usage);
        if (spec.Arguments.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Arguments:");
            int w = spec.Arguments.Max(a => a.Usage.Length) + 2;
            foreach (var a in spec.Arguments) sb.AppendLine($"  {a.Usage.PadRight(w)}{a.Description}");
        }
        if (spec.Options.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Options:");
            int w = spec.Options.Max(o => o.Usage.Length) + 2;
            foreach (var o in spec.Options)
                sb.AppendLine($"  {o.Usage.PadRight(w)}{o.Description}{(o.Default is { } d && !o.Description.Contains("default", StringComparison.Ordinal) ? $" (default {d})" : "")}");
        }
        if (spec.Notes is { } notes)
        {
            sb.AppendLine();
            sb.AppendLine(notes);
        }
        sb.AppendLine();
        sb.AppendLine("Examples:");
        foreach (var e in spec.Examples)
        {
            sb.AppendLine("  " + e.Line);
            sb.AppendLine("      " + e.What);
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>The README section: the overview and every subcommand's help, each in a text block.</summary>
    public static string Markdown(IReadOnlyList<CommandSpec> specs)
    {
        var sb = new StringBuilder();
        sb.Append("<!-- generated from the #!arch help texts by ./archnb docs; edit src/Extensions/Magics, not this section -->\n\n");
        sb.Append("```text\n").Append(Overview(specs)).Append("\n```\n");
        foreach (var spec in specs)
            sb.Append($"\n### `#!arch {spec.Name}`\n\n```text\n").Append(For(spec)).Append("\n```\n");
        return sb.ToString();
    }
}
