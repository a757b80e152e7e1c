using System.Globalization;
using System.Text;

namespace ArchNotebooks.Kernel.Notebooks;

/// <summary>
/// Papermill-style parameters: <c>-p lr 0.01 -p name baseline</c> become a cell tagged
/// <c>injected-parameters</c> right after the cell tagged <c>parameters</c> (in a .dib, the code cell starting
/// with a <c>// parameters</c> comment; else first), redeclaring each name.
/// </summary>
internal static class Parameters
{
    public static void Inject(NotebookDocument notebook, IReadOnlyList<(string Name, string Value)> parameters)
    {
        if (parameters.Count == 0) return;
        var code = new StringBuilder("// Parameters injected by archnb run\n");
        foreach (var (name, value) in parameters)
        {
            if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(name)) throw new ArgumentException($"parameter name '{name}' is not a C# identifier");
            code.Append("var ").Append(name).Append(" = ").Append(Literal(value)).Append(";\n");
        }
        var cells = notebook.Cells;
        int index = cells.ToList().FindIndex(c => c.Tags.Contains("parameters"));
        // .dib cells carry no tags: there the parameters cell is the code cell whose first line is "// parameters".
        if (index < 0) index = cells.ToList().FindIndex(c => c.IsCode && c.Source.TrimStart().StartsWith("// parameters", StringComparison.OrdinalIgnoreCase));
        var injected = NotebookDocument.NewCell("code", code.ToString().TrimEnd('\n'), "injected-parameters");
        notebook.CellsJson.Insert(index + 1, injected.Json);
    }

    /// <summary>Numbers and booleans keep their type (int, long, double); anything else is a string literal.</summary>
    internal static string Literal(string value)
    {
        if (value is "true" or "false" or "null") return value;
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) return value;
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) return value + "L";
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return d.ToString("R", CultureInfo.InvariantCulture) is var r && (r.Contains('.') || r.Contains('E')) ? r : r + ".0";
        return Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(value, quote: true);
    }
}
