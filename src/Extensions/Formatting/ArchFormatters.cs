using System.Reflection;
using ArchNotebooks.Extensions.Attention;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting.Tensors;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Runs;
using static ArchNotebooks.Torch.torch;
using LibraryModule = ArchNotebooks.Library.Modules.Module;

namespace ArchNotebooks.Extensions.Formatting;

/// <summary>
/// Registers the rich formatters with a host's <see cref="FormatterRegistry"/>: library types
/// (tensors, modules, ablation tables, training results, scaling results, run tables, sanity
/// reports) by registration, our own displayable types (figures, attention maps, curves) through
/// <see cref="IMimeRenderable"/> and their <see cref="TypeFormatterSourceAttribute"/>.
/// </summary>
public static class ArchFormatters
{
    static readonly Lazy<FormatterRegistry> registry = new(() => { var r = new FormatterRegistry(); Register(r); return r; });

    /// <summary>A registry holding only these formatters (what the .NET Interactive convention path formats with).</summary>
    public static FormatterRegistry Registry => registry.Value;

    public static void Register(FormatterRegistry formatters)
    {
        formatters.Register<Tensor>((t, b) => { TensorFormatter.Write(t, b); return true; });
        formatters.Register<LibraryModule>((m, b) => { ModuleFormatter.Write(m, b); return true; });
        formatters.Register<AblationTable>((t, b) => { AblationFormatter.Write(t, b); return true; });
        formatters.Register<AblationResult>((r, b) => { AblationFormatter.Write(r, b); return true; });
        formatters.Register<TrainingResult>((r, b) => { new TrainingCurves(r).Render(b); return true; });
        formatters.Register<ScalingResult>((r, b) => { ScalingFormatter.Write(r, b); return true; });
        formatters.Register<LearningRateTuning>((t, b) => { LearningRateFormatter.Write(t, b); return true; });
        formatters.Register<RunTable>((t, b) => { RunTableFormatter.Write(t, b); return true; });
        formatters.Register<SanityReport>((r, b) => { SanityFormatter.Write(r, b); return true; });
        formatters.Register<SanityCheck>((c, b) => { SanityFormatter.Write(new SanityReport("", [c]), b); return true; });
        RegisterAttributed(formatters, typeof(ArchFormatters).Assembly);
    }

    /// <summary>
    /// Registers every type in <paramref name="assembly"/> carrying a <see cref="TypeFormatterSourceAttribute"/>
    /// and implementing <see cref="IMimeRenderable"/>, so registration order cannot shadow them with a broader formatter.
    /// </summary>
    public static void RegisterAttributed(FormatterRegistry formatters, Assembly assembly)
    {
        foreach (var type in assembly.GetExportedTypes())
            if (type.GetCustomAttribute<TypeFormatterSourceAttribute>() is not null && typeof(IMimeRenderable).IsAssignableFrom(type))
                formatters.Register(type, (value, bundle) => { ((IMimeRenderable)value).Render(bundle); return true; });
    }
}

/// <summary>Loaded by the archnb host (it scans ArchNotebooks.Extensions.dll for <see cref="IKernelExtension"/>): adds the rich formatters.</summary>
public sealed class ArchFormattersExtension : IKernelExtension
{
    public void Load(KernelExtensionContext context)
    {
        ArchFormatters.Register(context.Formatters);
        context.ScriptReferences.Add(typeof(Figure).Assembly);
        context.ScriptImports.Add("ArchNotebooks.Extensions.Figures");
        context.ScriptImports.Add("ArchNotebooks.Extensions.Attention");
    }
}
