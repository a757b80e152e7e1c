using System.Diagnostics;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Magics;

/// <summary>The magics every session has: #!time, #!lsmagic, #!who, #!whos, and the Polyglot kernel selectors #!csharp/#!c#/#!cs.</summary>
internal static class BuiltInMagics
{
    public static void Register(MagicRegistry magics)
    {
        magics.Register("time", "runs the rest of the cell and prints its wall-clock time", Time);
        magics.Register("lsmagic", "lists the magic commands", ListMagics);
        magics.Register("who", "lists the session's variables", (_, context) => Who(context, detailed: false));
        magics.Register("whos", "lists the session's variables with their types and values", (_, context) => Who(context, detailed: true));
        foreach (var selector in new[] { "csharp", "c#", "cs" })
            magics.Register(selector, "marks a C# cell (Polyglot Notebooks kernel selector); runs the rest of the cell", (_, context) => context.RunBodyAsync());
    }

    private static async Task Time(MagicInvocation invocation, IMagicContext context)
    {
        var clock = Stopwatch.StartNew();
        try { await context.RunBodyAsync(); }
        finally { context.Out.WriteLine($"Wall time: {FormatDuration(clock.Elapsed)}"); }
    }

    internal static string FormatDuration(TimeSpan elapsed) => elapsed.TotalSeconds switch
    {
        >= 1 => $"{elapsed.TotalSeconds:F2} s",
        >= 1e-3 => $"{elapsed.TotalMilliseconds:F1} ms",
        _ => $"{elapsed.TotalMilliseconds * 1000:F0} µs",
    };

    private static Task ListMagics(MagicInvocation invocation, IMagicContext context)
    {
        var magics = context.Magics.All;
        int width = magics.Max(m => m.Name.Length) + 2;
        context.Out.WriteLine("Magic commands (a #!name line at the top of a cell):");
        foreach (var magic in magics) context.Out.WriteLine($"  #!{magic.Name.PadRight(width)} {magic.Summary}");
        context.Out.WriteLine("Also: #r \"path.dll\" references an assembly, #load \"file.csx\" runs a script file.");
        return Task.CompletedTask;
    }

    private static Task Who(IMagicContext context, bool detailed)
    {
        var variables = context.Variables;
        if (variables.Count == 0) { context.Out.WriteLine("No variables."); return Task.CompletedTask; }
        if (!detailed) { context.Out.WriteLine(string.Join("  ", variables.Select(v => v.Name))); return Task.CompletedTask; }
        int nameWidth = Math.Max(8, variables.Max(v => v.Name.Length)) + 2;
        int typeWidth = Math.Max(4, variables.Max(v => PlainTextFormatter.FriendlyName(v.Type).Length)) + 2;
        context.Out.WriteLine($"{"Variable".PadRight(nameWidth)}{"Type".PadRight(typeWidth)}Value");
        foreach (var v in variables)
        {
            var text = context.Formatters.PlainText.Format(v.Value).ReplaceLineEndings(" ");
            if (text.Length > 60) text = text[..57] + "...";
            context.Out.WriteLine($"{v.Name.PadRight(nameWidth)}{PlainTextFormatter.FriendlyName(v.Type).PadRight(typeWidth)}{text}");
        }
        return Task.CompletedTask;
    }
}
