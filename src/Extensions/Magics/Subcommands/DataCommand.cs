using System.Globalization;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Reporting;
using ArchNotebooks.Library.Tasks;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// <c>#!arch data &lt;dataset&gt;</c>: what a dataset holds before anything trains on it (split sizes, shapes and
/// dtypes, class balance or target range per split, a few examples). Given a CSV or Parquet file, it loads it
/// into a dataset variable first, which every <c>--task</c> then accepts.
/// </summary>
public sealed class DataCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("data", "describe a dataset (splits, shapes, class balance, examples); load a CSV or Parquet file into one",
        [new ArgumentSpec("dataset", "variable holding a dataset or task, a library task name, or a .csv/.parquet file to load")],
        [
            new OptionSpec("target", "column", "the file's column to predict (required for a file)"),
            new OptionSpec("features", "a,b,...", "the file's input columns (default: every other column)", Values.Words("columns")),
            new OptionSpec("loss", "kind", "classification or regression (default: from the target column's type)", Values.Choice<LossKind>()),
            new OptionSpec("name", "var", "variable to bind the loaded dataset to (default: data)", Default: "data"),
            new OptionSpec("validation", "fraction", "share held out for validation", Values.Positive(), "0.1"),
            new OptionSpec("test", "fraction", "share held out for test", Values.Positive(), "0.2"),
            new OptionSpec("split-seed", "n", "seed of the shuffle that assigns the splits", Values.Long(), "0"),
            TaskConfigOption,
            new OptionSpec("examples", "n", "training examples to show", Values.Int(0, 100), "5"),
        ],
        [
            new("#!arch data points.csv --target label --name points", "load a CSV (label is the class) into the variable points and describe it"),
            new("#!arch data prices.parquet --target price --loss regression --test 0.25", "a regression from a Parquet file"),
            new("#!arch data points", "describe a dataset already in a variable (Dataset.FromCsv, Dataset.FromTensors, ...)"),
            new("#!arch train m --task points --steps 300", "then train on it: --task takes the variable (or @points, @csharp:points)"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var given = line.Argument("dataset")!;
        int shown = line.Get("examples", 5);
        var settings = line.Get<List<KeyValuePair<string, string>>>("task-config");
        var extension = Path.GetExtension(given).ToLowerInvariant();
        if (extension is ".csv" or ".parquet")
        {
            var target = line.Get<string>("target") ?? throw new ArchUsageException($"{Where}: which column is the target? Give --target <column> to load {given}.");
            var name = Identifier(line.Get<string>("name") ?? "data", "--name");
            var path = Path.GetFullPath(given);
            if (!File.Exists(path)) throw new ArchUsageException($"{Where}: there is no file {path}.");
            var splits = new SplitOptions { ValidationFraction = line.Get("validation", 0.1), TestFraction = line.Get("test", 0.2), Seed = line.Get("split-seed", 0L) };
            var features = line.Get<List<string>>("features")?.ToArray();
            var loss = line.Value<LossKind>("loss");
            return async run =>
            {
                TensorDataset dataset;
                try
                {
                    dataset = extension == ".csv" ? Dataset.FromCsv(path, target, features, loss, splits, name) : Dataset.FromParquet(path, target, features, loss, splits, name);
                }
                catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or InvalidOperationException)
                {
                    throw new ArchUsageException($"{Where}: cannot read {path} as a dataset: {e.Message}");
                }
                await run.BindAsync(name, dataset);
                run.Out.WriteLine($"{name} = {dataset}");
                run.Display(new DatasetView(DatasetSummary.Of(dataset, shown)));
            };
        }
        if (line.Has("target") || line.Has("features") || line.Has("loss"))
            throw new ArchUsageException($"{Where}: --target, --features and --loss describe a file to load; '{given}' is not a .csv or .parquet file.");
        var task = TaskVariables.Find(given, line.Variables, settings, Where)
            ?? (TaskCatalog.All.Any(t => t.Name == given.ToLowerInvariant()) ? TaskCatalog.Create(given, settings, Where) : null)
            ?? throw new ArchUsageException($"{Where}: '{given}' is neither a variable holding a dataset, a library task, nor a .csv or .parquet file." +
                $"{Suggestions.DidYouMean(given, line.Variables.Where(v => v.Value is ISyntheticTask).Select(v => v.Name).Concat(TaskCatalog.All.Select(t => t.Name)))}");
        return run =>
        {
            run.Display(new DatasetView(DatasetSummary.Of(task.Task, shown)));
            return Task.CompletedTask;
        };
    }
}

/// <summary>A dataset summary as text and HTML: one table of splits, one of examples.</summary>
public sealed record DatasetView(DatasetSummary Summary) : IMimeRenderable
{
    string Title => $"{Summary.Name} ({Summary.Kind}, {Summary.Loss}): inputs [{Shape(Summary.InputShape)}] {Summary.InputDType}, " +
                    $"targets [{Shape(Summary.TargetShape)}] {Summary.TargetDType}, " +
                    (Summary.Loss == LossKind.Regression ? $"{Summary.Classes} output(s)" : $"{Summary.Classes} classes");

    IReadOnlyList<string> SplitHeader => Summary.Loss == LossKind.Regression
        ? ["split", "examples", "target min", "max", "mean", "std"]
        : ["split", "examples", "class balance (scored labels per class)"];

    IReadOnlyList<IReadOnlyList<string>> SplitRows() => Summary.Splits.Select(s => (IReadOnlyList<string>)(s.Targets is { } t
        ? [s.Split.ToString(), Size(s), Num(t.Min), Num(t.Max), Num(t.Mean), Num(t.Std)]
        : [s.Split.ToString(), Size(s), Balance(s.ClassCounts!)])).ToList();

    static string Size(SplitSummary s) => s.Examples is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : $"sampled ({s.Read:N0} read)";

    string Balance(IReadOnlyList<long> counts)
    {
        long total = Math.Max(1, counts.Sum());
        return string.Join(", ", counts.Select((c, i) => $"{Label(i)}: {c} ({100.0 * c / total:0}%)"));
    }

    string Label(int id) => Summary.ClassNames is { } names && id < names.Count ? names[id] : id.ToString(CultureInfo.InvariantCulture);

    static string Num(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
    static string Shape(long[] shape) => string.Join(", ", shape);

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var features = Summary.FeatureNames is { } f ? $"<p>features: {HtmlText.Escape(string.Join(", ", f))}</p>" : "";
        bundle[MimeBundle.Html] = HtmlText.Block(
            $"<h4>{HtmlText.Escape(Title)}</h4><p>{HtmlText.Escape(Summary.Description)}</p>{features}" +
            HtmlText.Table(SplitHeader, SplitRows().Select(r => r.Select(HtmlText.Escape))) +
            HtmlText.Table(["input", "target"], Summary.Examples.Select(e => new[] { HtmlText.Escape(e.Input), HtmlText.Escape(e.Target) }), caption: "first training examples"));
    }

    public override string ToString() =>
        $"{Title}\n{Summary.Description}\n" + (Summary.FeatureNames is { } f ? $"features: {string.Join(", ", f)}\n" : "") +
        TextTable.Render(SplitHeader, SplitRows(), ColumnAlignment.NumbersRight) + "\n" +
        "first training examples:\n" + TextTable.Render(["input", "target"], Summary.Examples.Select(e => (IReadOnlyList<string>)[e.Input, e.Target]).ToList(), ColumnAlignment.NumbersRight);
}
