namespace ArchNotebooks.Kernel.Scripting;

/// <summary>Types as a cell's declaration can name them.</summary>
internal static class TypeNames
{
    /// <summary>
    /// The type a variable holding a <paramref name="type"/> can be declared as: the type itself, or its nearest
    /// base that code can name (public all the way out, generic arguments included) and that lives in a file a
    /// cell can reference (a type declared in a cell does not).
    /// </summary>
    public static Type Declarable(Type type)
    {
        var current = type;
        while (!current.IsVisible || string.IsNullOrEmpty(current.Assembly.Location) || current.IsPointer || current.IsByRef)
            current = current.BaseType ?? typeof(object);
        return current;
    }

    /// <summary>Namespace-qualified C#: nested types with dots, generics and arrays spelled out.</summary>
    public static string CSharp(Type type)
    {
        if (type.IsArray) return $"{CSharp(type.GetElementType()!)}[{new string(',', type.GetArrayRank() - 1)}]";
        if (type.IsGenericType)
        {
            var name = type.GetGenericTypeDefinition().FullName!;
            name = name[..name.IndexOf('`')].Replace('+', '.');
            return $"global::{name}<{string.Join(", ", type.GetGenericArguments().Select(CSharp))}>";
        }
        return "global::" + type.FullName!.Replace('+', '.');
    }

    /// <summary>The assemblies a cell must reference to name <paramref name="type"/>.</summary>
    public static IEnumerable<System.Reflection.Assembly> Assemblies(Type type)
    {
        if (type.HasElementType) return Assemblies(type.GetElementType()!);
        var own = new[] { type.Assembly };
        return type.IsGenericType ? own.Concat(type.GetGenericArguments().SelectMany(Assemblies)).Distinct() : own;
    }
}
