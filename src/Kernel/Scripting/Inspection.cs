using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>inspect_request answers: the symbol under the cursor, its signature(s) and XML doc summary.</summary>
internal static class Inspection
{
    public static string? Inspect(ScriptSession session, string code, int cursor)
    {
        if (MagicLineAssistance.Inspect(session, code, Math.Clamp(cursor, 0, code.Length)) is (true, var help)) return help;
        var model = Completions.SemanticModelFor(session, code, out var tree);
        if (model is null || code.Length == 0) return null;
        var root = tree.GetRoot();
        var position = Math.Clamp(cursor, 0, code.Length);
        // The cursor usually sits right after the name (or inside it): try there, then one character back.
        foreach (var at in new[] { position, position - 1 })
        {
            if (at < 0 || at >= root.FullSpan.End) continue;
            var token = root.FindToken(at);
            var node = token.Parent;
            if (node is null) continue;
            var symbols = SymbolsAt(model, node);
            if (symbols.Count > 0) return Describe(symbols);
        }
        return null;
    }

    private static List<ISymbol> SymbolsAt(SemanticModel model, SyntaxNode node)
    {
        for (var current = node; current is not null and not StatementSyntax; current = current.Parent)
        {
            var info = model.GetSymbolInfo(current);
            if (info.Symbol is { } symbol) return [symbol];
            if (info.CandidateSymbols.Length > 0) return info.CandidateSymbols.ToList();
            if (model.GetDeclaredSymbol(current) is { } declared) return [declared];
            if (current is ExpressionSyntax && model.GetTypeInfo(current).Type is { } type and not IErrorTypeSymbol) return [type];
        }
        return [];
    }

    private static string Describe(IReadOnlyList<ISymbol> symbols)
    {
        var lines = symbols.Take(10).Select(s => s.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)).ToList();
        if (symbols.Count > 10) lines.Add($"(+{symbols.Count - 10} overloads)");
        var summary = XmlDocs.Summary(symbols[0]);
        if (summary is not null) { lines.Add(""); lines.Add(summary); }
        var kind = symbols[0] switch
        {
            ILocalSymbol l => $"local {l.Type.ToDisplayString()}",
            IFieldSymbol f when f.ContainingType?.IsScriptClass == true => $"variable {f.Type.ToDisplayString()}",
            _ => symbols[0].Kind.ToString().ToLowerInvariant(),
        };
        lines.Insert(0, $"[{kind}]");
        return string.Join("\n", lines);
    }
}

/// <summary>Summaries from XML documentation files: the SDK's reference packs for the framework, a .xml beside other assemblies.</summary>
internal static class XmlDocs
{
    private static readonly Dictionary<string, XDocument?> s_files = new();

    public static string? Summary(ISymbol symbol)
    {
        var id = (symbol is IMethodSymbol { ReducedFrom: { } reduced } ? reduced : symbol.OriginalDefinition).GetDocumentationCommentId();
        var assembly = symbol.ContainingAssembly?.Name;
        if (id is null || assembly is null) return null;
        // Implementation assemblies (System.Private.CoreLib) document their types in the reference pack's files.
        var ns = (symbol as INamespaceOrTypeSymbol ?? symbol.ContainingType)?.ContainingNamespace?.ToDisplayString();
        var member = new[] { assembly, "System.Runtime", ns ?? "" }.Distinct()
            .Select(name => Load(name)?.Root?.Element("members")?.Elements("member").FirstOrDefault(m => (string?)m.Attribute("name") == id))
            .FirstOrDefault(m => m is not null);
        var summary = member?.Element("summary");
        if (summary is null) return null;
        var text = string.Concat(summary.Nodes().Select(n => n switch
        {
            XText t => t.Value,
            XElement e when e.Attribute("cref") is { } cref => cref.Value[(cref.Value.IndexOf(':') + 1)..],
            XElement e when e.Attribute("langword") is { } word => word.Value,
            XElement e => e.Value,
            _ => "",
        }));
        return string.Join(" ", text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
    }

    private static XDocument? Load(string assembly)
    {
        lock (s_files)
        {
            if (s_files.TryGetValue(assembly, out var cached)) return cached;
            XDocument? doc = null;
            var path = Candidates(assembly).FirstOrDefault(File.Exists);
            if (path is not null) try { doc = XDocument.Load(path); } catch (Exception e) { KernelLog.Write($"{path}: {e.Message}"); }
            return s_files[assembly] = doc;
        }
    }

    private static IEnumerable<string> Candidates(string assembly)
    {
        yield return Path.Combine(AppContext.BaseDirectory, assembly + ".xml");
        // .../dotnet/shared/Microsoft.NETCore.App/10.0.x/ → .../dotnet/packs/Microsoft.NETCore.App.Ref/10.0.x/ref/net10.0/
        var runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/');
        var version = Path.GetFileName(runtime);
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        yield return Path.Combine(packs, version, "ref", $"net{Environment.Version.Major}.0", assembly + ".xml");
        if (Directory.Exists(packs))
            foreach (var dir in Directory.GetDirectories(packs).Order().Reverse())
                yield return Path.Combine(dir, "ref", $"net{Environment.Version.Major}.0", assembly + ".xml");
    }
}
