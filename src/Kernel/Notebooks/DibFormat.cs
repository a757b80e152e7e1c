using System.Text.Json.Nodes;

namespace ArchNotebooks.Kernel.Notebooks;

/// <summary>
/// Polyglot Notebooks' .dib text format: an optional <c>#!meta</c> JSON section, then cells each
/// opened by a <c>#!kernel</c> line (csharp/cs/c#, markdown/md, ...). Other <c>#!</c> lines are magics inside a cell.
/// </summary>
internal static class DibFormat
{
    private static readonly HashSet<string> CSharp = new(StringComparer.OrdinalIgnoreCase) { "csharp", "cs", "c#" };
    private static readonly HashSet<string> MarkdownNames = new(StringComparer.OrdinalIgnoreCase) { "markdown", "md" };

    public static NotebookDocument Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var notebook = new NotebookDocument(new JsonObject());
        var known = new HashSet<string>(CSharp.Concat(MarkdownNames).Append("meta"), StringComparer.OrdinalIgnoreCase);
        var defaultKernel = "csharp";
        string? kernel = null;
        var body = new List<string>();

        void Flush()
        {
            var source = string.Join("\n", body).Trim('\n');
            body.Clear();
            if (kernel is null && source.Length == 0) return;
            var name = kernel ?? defaultKernel;
            if (name.Equals("meta", StringComparison.OrdinalIgnoreCase))
            {
                if (JsonNode.Parse(source) is JsonObject meta)
                {
                    notebook.Metadata["polyglot_notebook"] = meta.DeepClone();
                    if ((string?)meta["kernelInfo"]?["defaultKernelName"] is { } d) defaultKernel = d;
                    foreach (var item in meta["kernelInfo"]?["items"]?.AsArray() ?? [])
                    {
                        if ((string?)item?["name"] is { } n) known.Add(n);
                        foreach (var alias in item?["aliases"]?.AsArray() ?? []) if ((string?)alias is { } a) known.Add(a);
                    }
                }
                return;
            }
            var cellType = MarkdownNames.Contains(name) ? "markdown" : "code";
            var cell = NotebookDocument.NewCell(cellType, source);
            if (cellType == "code")
                cell.Json["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = CSharp.Contains(name) ? "csharp" : name } };
            notebook.CellsJson.Add(cell.Json);
        }

        foreach (var line in lines)
        {
            if (line.StartsWith("#!", StringComparison.Ordinal) && known.Contains(line[2..].Trim()))
            {
                Flush();
                kernel = line[2..].Trim();
                continue;
            }
            body.Add(line);
        }
        Flush();
        notebook.Metadata["kernelspec"] = new JsonObject { ["name"] = "archnb", ["display_name"] = "C# (ArchNotebooks)", ["language"] = "csharp" };
        return notebook;
    }
}
