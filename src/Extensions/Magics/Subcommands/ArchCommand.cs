using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// One <c>#!arch</c> subcommand: its spec (arguments, options, examples) and a two-phase body.
/// <see cref="Prepare"/> checks everything a line says against the session and changes nothing;
/// the work it returns runs only after every line of the cell has been prepared.
/// </summary>
public abstract class ArchCommand
{
    public abstract CommandSpec Spec { get; }

    public abstract Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan);

    protected string Where => $"#!arch {Spec.Name}";

    // Options several subcommands share, so they read and behave the same everywhere.
    protected static OptionSpec TaskOption(string when = "default: the task the model was built for") =>
        new("task", "task", $"synthetic task ({when}): {string.Join(", ", TaskCatalog.All.Select(t => t.Name))}; or a variable holding a dataset or task (name, @name or @csharp:name)");
    protected static readonly OptionSpec TaskConfigOption =
        new("task-config", "k=v,...", "task settings, e.g. length=4,symbols=6 (constructor parameters of the task)", Values.Pairs());
    protected static readonly OptionSpec RunsOption =
        new("runs", "dir", "run-log directory (default: ./runs next to the notebook)");
    protected static OptionSpec SeedOption(string what = "seed for initialisation and batches") => new("seed", "n", what, Values.Long(), "0");
    protected static OptionSpec StepsOption(int fallback) => new("steps", "n", "optimizer steps", Values.Int(1, 10_000_000), fallback.ToString());
    protected static readonly OptionSpec LearningRateOption = new("lr", "rate", "peak learning rate of the optimizer", Values.Positive(), "1e-3");
    protected static readonly OptionSpec BatchOption = new("batch", "n", "training batch size", Values.Int(1, 1_000_000), "32");
    protected static readonly OptionSpec ConfigOption =
        new("config", "k=v,...", "config fields to change, e.g. dim=32,layers=1,norm=rms (any case; enum values by a unique part)", Values.Pairs());

    /// <summary>Checks a variable name is a C# identifier a declaration can use.</summary>
    protected string Identifier(string name, string option)
    {
        bool ok = name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_') && !CSharpKeywords.Contains(name);
        return ok ? name : throw new ArchUsageException($"{Where}: {option} '{name}' is not a C# variable name (letters, digits and _, not starting with a digit, not a keyword).");
    }

    static readonly HashSet<string> CSharpKeywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue", "decimal", "default",
        "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto",
        "if", "implicit", "in", "int", "interface", "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out",
        "override", "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc",
        "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using",
        "virtual", "void", "volatile", "while", "var",
    };
}
