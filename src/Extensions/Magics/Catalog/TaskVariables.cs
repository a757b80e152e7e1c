using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Tasks;

namespace ArchNotebooks.Extensions.Magics.Catalog;

/// <summary>
/// A dataset or task held in a notebook variable, named where a magic takes a task: <c>--task data</c>,
/// <c>--task @data</c> or <c>--task @csharp:data</c>. The object itself is used (its splits, its loss), not its text.
/// </summary>
public static class TaskVariables
{
    /// <summary>
    /// The task in the variable <paramref name="name"/> names; null when no variable of that name holds one and the
    /// name is not marked as a variable (a leading @), so the caller looks it up among the library's tasks.
    /// </summary>
    public static TaskChoice? Find(string name, IReadOnlyList<NotebookVariable> variables, IReadOnlyList<KeyValuePair<string, string>>? settings, string where)
    {
        bool marked = name.StartsWith('@');
        var key = marked ? name.TrimStart('@') : name;
        var variable = variables.LastOrDefault(v => v.Name == key);
        if (variable?.Value is ISyntheticTask task)
        {
            if (settings is { Count: > 0 })
                throw new ArchUsageException($"{where}: --task-config sets a library task's settings; {key} is a {task.GetType().Name} already made. Change it in C# and pass it again.");
            return new TaskChoice(task.Name, task);
        }
        if (!marked) return null;
        var tasks = variables.Where(v => v.Value is ISyntheticTask).Select(v => v.Name).ToList();
        throw new ArchUsageException(variable is null
            ? $"{where}: --task {name}: there is no notebook variable '{key}'.{Suggestions.DidYouMean(key, variables.Select(v => v.Name))}" +
              (tasks.Count > 0 ? $" Variables holding datasets or tasks: {string.Join(", ", tasks)}." : " Make one with Dataset.FromCsv(...) or Dataset.FromTensors(...).")
            : $"{where}: --task {name}: '{key}' holds {(variable.Value is null ? "null" : "a " + PlainTextFormatter.FriendlyName(variable.Value.GetType()))}, not a dataset or task (an ISyntheticTask such as Dataset.FromCsv(...) gives).");
    }
}
