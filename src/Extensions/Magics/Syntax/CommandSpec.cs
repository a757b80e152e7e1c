namespace ArchNotebooks.Extensions.Magics.Syntax;

/// <summary>Turns an option's text into its value; throws <see cref="FormatException"/> saying why the text is wrong.</summary>
public delegate object ValueParser(string text);

/// <summary>A <c>--name value</c> option, or a <c>--name</c> flag when <see cref="ValueName"/> is null.</summary>
public sealed record OptionSpec(string Name, string? ValueName, string Description, ValueParser? Parse = null, string? Default = null)
{
    public bool IsFlag => ValueName is null;

    public string Usage => IsFlag ? $"--{Name}" : $"--{Name} <{ValueName}>";
}

/// <summary>A positional argument; <see cref="Rest"/> takes every remaining positional (e.g. run ids, SQL words).</summary>
public sealed record ArgumentSpec(string Name, string Description, bool Required = true, bool Rest = false)
{
    public string Usage => (Required ? $"<{Name}>" : $"[{Name}]") + (Rest ? "..." : "");
}

/// <summary>One example line of a subcommand's help and what it does.</summary>
public sealed record Example(string Line, string What);

/// <summary>What a subcommand accepts and how its help reads; the parser, the help and the README reference all come from this.</summary>
public sealed record CommandSpec(string Name, string Summary, IReadOnlyList<ArgumentSpec> Arguments, IReadOnlyList<OptionSpec> Options, IReadOnlyList<Example> Examples)
{
    /// <summary>Extra paragraphs of help (e.g. the families and their config keys).</summary>
    public string? Notes { get; init; }

    public OptionSpec? Option(string name) => Options.FirstOrDefault(o => o.Name == name);

    public string Usage => string.Join(" ", new[] { "#!arch", Name }.Concat(Arguments.Select(a => a.Usage)).Append(Options.Count > 0 ? "[options]" : "").Where(s => s.Length > 0));
}

/// <summary>One parsed <c>#!arch</c> line: the subcommand, its positional arguments and its option values (already converted).</summary>
public sealed class ParsedLine(CommandSpec spec, IReadOnlyDictionary<string, IReadOnlyList<string>> arguments, IReadOnlyDictionary<string, object> options, string text)
{
    public CommandSpec Spec { get; } = spec;
    /// <summary>The line as typed after "#!arch".</summary>
    public string Text { get; } = text;

    /// <summary>The notebook's variables when the line was read, for options that name one (a dataset for --task).</summary>
    public IReadOnlyList<ArchNotebooks.Interactive.NotebookVariable> Variables { get; internal set; } = [];

    public string? Argument(string name) => arguments.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;
    public IReadOnlyList<string> Arguments(string name) => arguments.TryGetValue(name, out var v) ? v : [];

    public bool Has(string option) => options.ContainsKey(option);
    public bool Flag(string option) => options.ContainsKey(option);

    public T Get<T>(string option, T fallback) => options.TryGetValue(option, out var v) ? (T)v : fallback;
    public T? Get<T>(string option) where T : class => options.TryGetValue(option, out var v) ? (T)v : null;
    public T? Value<T>(string option) where T : struct => options.TryGetValue(option, out var v) ? (T)v : null;
}
