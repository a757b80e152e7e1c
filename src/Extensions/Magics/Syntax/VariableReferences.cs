using System.Globalization;
using System.Text.RegularExpressions;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Syntax;

/// <summary>
/// .NET Interactive's value sharing in magic lines: <c>@csharp:name</c> stands for the current value of
/// the notebook variable <c>name</c>, so a parameters cell can drive <c>#!arch train m --steps @csharp:steps</c>.
/// A dataset, task or model is passed as the object itself: the reference becomes the variable's name, which
/// <c>--task</c> and the model arguments resolve to the variable's value.
/// </summary>
public static partial class VariableReferences
{
    [GeneratedRegex(@"(?<![\w@])@csharp:([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Reference();

    /// <summary>Replaces every reference with its variable's value (invariant culture; quoted when it has spaces).</summary>
    public static string Expand(string line, IReadOnlyList<NotebookVariable> variables) => Reference().Replace(line, m =>
    {
        var name = m.Groups[1].Value;
        // The latest declaration of a name wins, as in the session.
        var variable = variables.LastOrDefault(v => v.Name == name)
            ?? throw new ArchUsageException($"{m.Value}: there is no notebook variable '{name}'" +
                (Suggestions.Closest(name, variables.Select(v => v.Name)) is { } near ? $" (did you mean '{near}'?)" : ""));
        var text = variable.Value switch
        {
            null => throw new ArchUsageException($"{m.Value}: the variable '{name}' is null"),
            // An object a magic takes by reference (a dataset or task for --task, a model) stays a reference to the variable:
            // its text would be a description, not something the option can read.
            ISyntheticTask or Module<Tensor, Tensor> => name,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var v => v.ToString() ?? "",
        };
        return text.Any(char.IsWhiteSpace) || text.Length == 0 ? "\"" + text.Replace("\"", "\\\"") + "\"" : text;
    });
}
