using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Reporting;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary><c>#!arch points &lt;model&gt;</c>: the model's ablation points, what each tests, and the values it can take.</summary>
public sealed class PointsCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("points", "list a model's ablation points (what ablate can remove or swap)",
        [new ArgumentSpec("model", "variable holding a model, or a family name for its defaults")],
        [],
        [
            new("#!arch points m", "the ablation points of the model in m, with current values and alternatives"),
            new("#!arch points moe", "the points of the moe family's default config"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        IModelConfig config;
        string title;
        var family = FamilyCatalog.TryFind(name, Where);
        ModelTarget? target = null;
        try { target = plan.Model(name, Where); }
        catch (ArchUsageException) when (family is not null) { }
        if (target is not null)
        {
            config = target.Provenance?.Config ?? throw NoConfig(name, target.Type);
            title = $"Ablation points of {name} ({target.Provenance.Family})";
        }
        else
        {
            config = family!.Default();
            title = $"Ablation points of the {family.Name} family (defaults)";
        }
        return run =>
        {
            run.Display(new AblationPointTable(title, AblationPoints.For(config)));
            return Task.CompletedTask;
        };
    }

    internal static ArchUsageException NoConfig(string name, Type type) => new(
        $"'{name}' is a {type.Name} without a config (it was not built by #!arch model and has no public IModelConfig Config), so its ablation points are unknown.");
}

/// <summary>A config's ablation points as a table: field, what it tests, current value, alternatives.</summary>
public sealed record AblationPointTable(string Title, IReadOnlyList<AblationPoint> Points) : IMimeRenderable
{
    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var rows = Points.Select(p => (IEnumerable<string>)
        [
            "<code>" + HtmlText.Escape(p.Field) + "</code>",
            $"<td style=\"text-align:left\">{HtmlText.Escape(p.Description)}</td>",
            "<code>" + HtmlText.Escape(Values.Format(p.Current)) + "</code>",
            $"<td style=\"text-align:left\">{HtmlText.Escape(string.Join(", ", p.Alternatives.Select(Values.Format)))}</td>",
        ]);
        bundle[MimeBundle.Html] = HtmlText.Block("<h4>" + HtmlText.Escape(Title) + "</h4>" +
            HtmlText.Table(["point", "what it tests", "current", "alternatives"], rows, caption: "#!arch ablate <model> --remove <point> --swap <point>=<value>"));
    }

    public override string ToString() => Title + "\n" + TextTable.Render(["point", "current", "alternatives", "what it tests"],
        Points.Select(p => (IReadOnlyList<string>)[p.Field, Values.Format(p.Current), string.Join(", ", p.Alternatives.Select(Values.Format)), p.Description]).ToList(), ColumnAlignment.NumbersRight);
}
