using System.Reflection;
using ArchNotebooks.Extensions.Attention;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Tests.Formatting;

public class RegistryTests
{
    static FormatterRegistry Fresh()
    {
        var registry = new FormatterRegistry();
        ArchFormatters.Register(registry);
        return registry;
    }

    [Fact]
    public void Every_value_gets_text_plain_even_without_a_formatter()
    {
        var registry = Fresh();
        Assert.Equal("42", registry.Format(42)[MimeBundle.PlainText]);
        Assert.Equal("null", registry.Format(null)[MimeBundle.PlainText]);
    }

    [Fact]
    public void A_subclass_resolves_to_the_formatter_of_its_base_type()
    {
        using var linear = new Linear(3, 2);
        var bundle = Fresh().Format(linear);
        Assert.Contains("<details open>", (string)bundle[MimeBundle.Html]);
        Assert.Contains("Linear", (string)bundle[MimeBundle.PlainText]);
    }

    [Fact]
    public void The_most_derived_registration_wins_over_a_base_class_or_interface()
    {
        var registry = Fresh();
        registry.Register<IDisposable>(MimeBundle.Html, _ => "disposable");
        using var linear = new Linear(3, 2);
        // Module (a base class) is more specific than IDisposable (an interface).
        Assert.Contains("<details", (string)registry.Format(linear)[MimeBundle.Html]);
        registry.Register<Linear>(MimeBundle.Html, _ => "just this linear");
        Assert.Equal("just this linear", registry.Format(linear)[MimeBundle.Html]);
        // Another module type still gets the Module formatter.
        using var norm = new LayerNorm(4);
        Assert.Contains("<details", (string)registry.Format(norm)[MimeBundle.Html]);
        // An interface registration is the fallback for types with nothing more specific.
        using var ms = new MemoryStream();
        Assert.Equal("disposable", registry.Format(ms)[MimeBundle.Html]);
    }

    [Fact]
    public void Library_types_resolve_to_their_formatters()
    {
        var registry = Fresh();
        var table = Support.Samples.Ablation().Table();
        Assert.Contains("Δ vs baseline", (string)registry.Format(table)[MimeBundle.Html]);
        Assert.Contains("Δ vs baseline", (string)registry.Format(Support.Samples.Ablation())[MimeBundle.Html]);
        var curves = registry.Format(Support.Samples.Training());
        Assert.True(curves.Contains(MimeBundle.Plotly));
        Assert.StartsWith("Completed after 50/50 steps", (string)curves[MimeBundle.PlainText]);
    }

    [Theory]
    [InlineData(typeof(Figure))]
    [InlineData(typeof(AttentionMaps))]
    [InlineData(typeof(TrainingCurves))]
    public void Displayable_types_carry_a_TypeFormatterSource_attribute_dotnet_interactive_can_read_by_name(Type type)
    {
        // What .NET Interactive does: find the attribute by name, create the source, ask for formatters, call them by convention.
        var attribute = type.GetCustomAttributes(inherit: true).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var sourceType = (Type)attribute.GetType().GetProperty("FormatterSourceType")!.GetValue(attribute)!;
        var preferred = (string[])attribute.GetType().GetProperty("PreferredMimeTypes")!.GetValue(attribute)!;
        Assert.Equal(MimeBundle.Html, preferred[0]);
        var source = Activator.CreateInstance(sourceType)!;
        var formatters = ((IEnumerable<object>)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, null)!).ToList();
        var html = formatters.Single(f => (string)f.GetType().GetProperty("MimeType")!.GetValue(f)! == MimeBundle.Html);
        var format = html.GetType().GetMethod("Format", [typeof(object), typeof(TextWriter)])!;
        Assert.Equal(typeof(bool), format.ReturnType);

        object value = type == typeof(Figure) ? new Figure(new Scatter([0, 1], [1, 2]))
            : type == typeof(AttentionMaps) ? new AttentionMaps(["a", "b"], [[[[1.0, 0], [0.5, 0.5]]]])
            : new TrainingCurves(Support.Samples.Training());
        var writer = new StringWriter();
        Assert.True((bool)format.Invoke(html, [value, writer])!);
        Assert.Contains("archnb-figure", writer.ToString());
    }

    [Fact]
    public void The_host_loads_the_formatters_through_IKernelExtension()
    {
        var session = new NotebookSession();
        var (registry, magics) = (session.Formatters, session.Magics);
        var context = new KernelExtensionContext(session);
        // As the host does: every public IKernelExtension of the assembly (formatters, and the #!arch magic).
        foreach (var extension in typeof(ArchFormatters).Assembly.GetExportedTypes().Where(t => typeof(IKernelExtension).IsAssignableFrom(t)))
            ((IKernelExtension)Activator.CreateInstance(extension)!).Load(context);
        using var t = ones(2, 2);
        Assert.Contains("tensor [2, 2] float32", (string)registry.Format(t)[MimeBundle.Html]);
        Assert.Contains(typeof(Figure).Assembly, context.ScriptReferences);
        Assert.True(magics.TryGet("arch", out _));
    }
}
