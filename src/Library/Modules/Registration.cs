using System.Collections;
using System.Reflection;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Modules;

/// <summary>
/// Finds the parts of a model that its forward may use but that were never registered: a field holding a
/// module (or a list of modules) that is nowhere in the model's tree, or a trainable tensor that is not one
/// of its parameters. Such parts are invisible to <c>parameters()</c>, so the optimizer never updates them,
/// <c>to(device)</c> leaves them behind and state dicts lose them — silently, which is why the Trainer and
/// the magics refuse such a model by name.
/// </summary>
public static class Registration
{
    /// <summary>One unregistered part: where it is held and what registering it takes.</summary>
    public sealed record Unregistered(string Owner, string Field, string What, string Fix)
    {
        public override string ToString() => $"{Owner}.{Field} holds {What} that is not registered: {Fix}";
    }

    /// <summary>Every unregistered module or trainable tensor held by a field of <paramref name="model"/> or its submodules.</summary>
    public static IReadOnlyList<Unregistered> Find(Module model)
    {
        var tree = model.named_modules().ToList();
        var registered = new HashSet<Module>(tree.Select(m => m.module), ReferenceEqualityComparer.Instance);
        var parameters = new HashSet<IntPtr>(model.parameters().Select(p => p.Handle));
        var found = new List<Unregistered>();
        foreach (var (path, module) in tree)
        {
            var owner = path.Length == 0 ? module.GetType().Name : $"{path} ({module.GetType().Name})";
            foreach (var field in OwnFields(module.GetType()))
            {
                var value = field.GetValue(module);
                var name = FieldName(field);
                switch (value)
                {
                    case Module m when !registered.Contains(m):
                        found.Add(new(owner, name, $"a {m.GetType().Name}", $"assign it with {name} = register_module(\"{name}\", ...)"));
                        break;
                    case Tensor t when !t.IsDisposed && t.requires_grad && !parameters.Contains(t.Handle):
                        found.Add(new(owner, name, $"a trainable tensor [{string.Join(", ", t.shape)}]", $"assign it with {name} = register_parameter(\"{name}\", ...)"));
                        break;
                    case IEnumerable items and not Module and not string:
                        var loose = items.OfType<Module>().Where(m => !registered.Contains(m)).ToList();
                        if (loose.Count > 0)
                            found.Add(new(owner, name, $"{loose.Count} {loose[0].GetType().Name} module(s) in a {PlainName(value.GetType())}",
                                "keep them in a Sequential or ModuleList registered with register_module, or register each one"));
                        break;
                }
            }
        }
        return found;
    }

    /// <summary>Throws when <see cref="Find"/> finds anything, naming every part.</summary>
    public static void Require(Module model, string what)
    {
        var found = Find(model);
        if (found.Count > 0)
            throw new ArgumentException($"{what}: {string.Join("; ", found)}. Unregistered parts are not trained, not moved with the model and not saved.");
    }

    // Fields declared by the model's own classes, not by the library's Module base classes (their links to
    // parents and hooks are bookkeeping, not parts).
    static IEnumerable<FieldInfo> OwnFields(Type type)
    {
        for (var t = type; t is not null && t != typeof(Module) && !(t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Module<,>)); t = t.BaseType)
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                yield return f;
    }

    // An auto-property's backing field is named after the property.
    static string FieldName(FieldInfo field) =>
        field.Name.StartsWith('<') && field.Name.IndexOf('>') is var end and > 1 ? field.Name[1..end] : field.Name;

    static string PlainName(Type type) => type.IsArray ? "array" : type.Name.Split('`')[0];
}
