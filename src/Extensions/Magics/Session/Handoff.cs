using System.Collections.Concurrent;

namespace ArchNotebooks.Extensions.Magics.Session;

/// <summary>
/// How a magic hands an object to the notebook's C#: it parks the object under a fresh id and
/// evaluates <c>var m = (Type)Handoff.Take("id");</c> in the session, so the variable is an ordinary
/// script variable with the object's own type. Each id is taken once.
/// </summary>
public static class Handoff
{
    static readonly ConcurrentDictionary<string, object> parked = new();

    public static string Put(object value)
    {
        var id = Guid.NewGuid().ToString("N");
        parked[id] = value;
        return id;
    }

    public static object Take(string id) =>
        parked.TryRemove(id, out var value) ? value : throw new InvalidOperationException($"nothing was handed over under '{id}' (each hand-off is taken once)");

    /// <summary>How C# names a type in a declaration: namespace-qualified, nested types with dots, generics spelled out.</summary>
    public static string CSharpName(Type type)
    {
        if (type.IsGenericType)
        {
            var name = type.GetGenericTypeDefinition().FullName!;
            name = name[..name.IndexOf('`')].Replace('+', '.');
            return $"global::{name}<{string.Join(", ", type.GetGenericArguments().Select(CSharpName))}>";
        }
        return "global::" + type.FullName!.Replace('+', '.');
    }
}
