using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Session;

/// <summary>A model variable as a line refers to it, checked before anything runs.</summary>
/// <param name="Provenance">Its family, config and task when known (null for a hand-written module without a Config).</param>
/// <param name="Current">The model the variable holds now; null when an earlier line of the cell will bind it.</param>
public sealed record ModelTarget(string Name, Type Type, ModelProvenance? Provenance, Module<Tensor, Tensor>? Current);

/// <summary>
/// What the lines of one cell can refer to while they are validated: the session's variables plus
/// the variables that earlier <c>#!arch model</c> lines of the same cell will bind. Validation only
/// reads; nothing in the session changes until every line has passed.
/// </summary>
public sealed class ArchPlan(IReadOnlyList<NotebookVariable> variables)
{
    readonly Dictionary<string, (Type Type, ModelProvenance Provenance)> planned = new();

    public void Bind(string name, Type type, ModelProvenance provenance) => planned[name] = (type, provenance);

    /// <summary>The model in variable <paramref name="name"/>; a usage error if there is none or it holds something else.</summary>
    public ModelTarget Model(string name, string where)
    {
        if (planned.TryGetValue(name, out var p)) return new ModelTarget(name, p.Type, p.Provenance, null);
        var variable = variables.LastOrDefault(v => v.Name == name);
        if (variable is null)
        {
            var models = variables.Where(v => v.Value is Module<Tensor, Tensor>).Select(v => v.Name).Concat(planned.Keys).ToList();
            throw new ArchUsageException($"{where}: there is no variable '{name}'.{Suggestions.DidYouMean(name, variables.Select(v => v.Name).Concat(planned.Keys))}" +
                (models.Count > 0 ? $" Variables holding models: {string.Join(", ", models)}." : "") +
                $"\n#!arch model transformer --name {name} builds one.");
        }
        if (variable.Value is not Module<Tensor, Tensor> model)
            throw new ArchUsageException($"{where}: '{name}' holds {(variable.Value is null ? "null" : "a " + PlainTextFormatter.FriendlyName(variable.Value.GetType()))}, not a model (a Module<Tensor, Tensor>).\n#!arch model transformer --name {name} builds one.");
        if (Registration.Find(model) is { Count: > 0 } loose)
            throw new ArchUsageException($"{where}: {name} has parts that were never registered, so they would not be trained, moved or saved:\n" +
                string.Join("\n", loose.Select(u => "  " + u)));
        return new ModelTarget(name, model.GetType(), ModelProvenance.Of(model), model);
    }

    /// <summary>The task a line names with --task/--task-config, else the one the model was built for; a usage error when required and neither exists.</summary>
    public static TaskChoice? Task(ParsedLine line, ModelProvenance? provenance, bool required, string where)
    {
        var settings = line.Get<List<KeyValuePair<string, string>>>("task-config");
        if (line.Get<string>("task") is { } name)
            return TaskVariables.Find(name, line.Variables, settings, where) ?? TaskCatalog.Create(name, settings, where);
        if (provenance?.Task is { } own)
        {
            if (settings is null) return own;
            var entry = TaskCatalog.All.FirstOrDefault(t => own.Name.StartsWith(t.Name, StringComparison.Ordinal))
                ?? throw new ArchUsageException($"{where}: --task-config sets a library task's settings; the model was built for {own.Name}, a dataset or task of your own.");
            return TaskCatalog.Create(entry.Name, settings, where);
        }
        if (settings is not null) throw new ArchUsageException($"{where}: --task-config needs --task <task>.");
        if (!required) return null;
        throw new ArchUsageException($"{where}: which task? Give --task <task>{(provenance is null ? "" : " (the model was not built for one)")}.\nTasks: {string.Join(", ", TaskCatalog.All.Select(t => t.Name))}, or a variable holding a dataset (#!arch data describes one).");
    }

    /// <summary>The run-log directory: --runs, else runs/ next to the notebook. A relative --runs is taken from the notebook's
    /// directory too, so a cell means the same place whichever client runs it; without a known notebook, the working directory.</summary>
    public static string RunsDirectory(ParsedLine line)
    {
        var from = NotebookSession.Current?.NotebookDirectoryOrWorkingDirectory ?? Directory.GetCurrentDirectory();
        return Path.GetFullPath(line.Get<string>("runs") ?? "runs", from);
    }
}
