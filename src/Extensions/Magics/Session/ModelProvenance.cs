using System.Reflection;
using System.Runtime.CompilerServices;
using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;
using Module = ArchNotebooks.Library.Modules.Module;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Session;

/// <summary>Where a notebook model came from: its family, its config (before shaping to a task) and the task it was shaped for.</summary>
public sealed record ModelProvenance(string Family, IModelConfig Config, TaskChoice? Task)
{
    /// <summary>The config shaped for <paramref name="task"/> (or the model's own task), ready to Build.</summary>
    public IModelConfig ConfigFor(TaskChoice? task) => (task ?? Task) is { } t ? Config.For(t.Task) : Config;

    /// <summary>What each model built by <c>#!arch model</c> came from; models from elsewhere are read from their public Config field.</summary>
    static readonly ConditionalWeakTable<Module, ModelProvenance> known = new();

    public static void Remember(Module model, ModelProvenance provenance) => known.AddOrUpdate(model, provenance);

    public static ModelProvenance? Of(Module model)
    {
        if (known.TryGetValue(model, out var p)) return p;
        var type = model.GetType();
        var config = type.GetField("Config", BindingFlags.Public | BindingFlags.Instance)?.GetValue(model)
                     ?? type.GetProperty("Config", BindingFlags.Public | BindingFlags.Instance)?.GetValue(model);
        return config is IModelConfig c ? new ModelProvenance(FamilyCatalog.NameOf(c), c, null) : null;
    }

    /// <summary>Whether values of this type are models #!arch works with: Module&lt;Tensor, Tensor&gt;.</summary>
    public static bool IsModel(Type type) => typeof(Module<Tensor, Tensor>).IsAssignableFrom(type);
}
