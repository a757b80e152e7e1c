using System.Globalization;
using System.Reflection;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;

namespace ArchNotebooks.Extensions.Magics.Catalog;

/// <summary>
/// The settable fields of a family config, by name (any case), including those of nested configs
/// ("Transformer.Dim", or just "dim" when only one nested config has it). <c>--config dim=32,layers=1</c>
/// becomes <c>config with { Dim = 32, Layers = 1 }</c>.
/// </summary>
public static class ConfigFields
{
    /// <summary>Dotted paths and types of every field a config can be given.</summary>
    public static IReadOnlyList<(string Path, Type Type)> Of(object config, string prefix = "")
    {
        var fields = new List<(string, Type)>();
        foreach (var p in config.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!p.CanWrite) continue;
            if (typeof(IModelConfig).IsAssignableFrom(p.PropertyType) && p.GetValue(config) is { } inner) fields.AddRange(Of(inner, prefix + p.Name + "."));
            else fields.Add((prefix + p.Name, p.PropertyType));
        }
        return fields;
    }

    /// <summary>The field a user's key names: exact path (any case), else the unique field whose last segment matches.</summary>
    public static (string Path, Type Type) Resolve(object config, string key, string where)
    {
        var fields = Of(config);
        var exact = fields.Where(f => string.Equals(f.Path, key, StringComparison.OrdinalIgnoreCase)).ToList();
        if (exact.Count == 1) return exact[0];
        var byLeaf = fields.Where(f => string.Equals(f.Path.Split('.')[^1], key, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byLeaf.Count == 1) return byLeaf[0];
        throw new ArchUsageException($"{where}: {config.GetType().Name} has no field '{key}'.{Suggestions.DidYouMean(key, fields.Select(f => f.Path.Split('.')[^1]).Concat(fields.Select(f => f.Path)))}\nFields: {string.Join(", ", fields.Select(f => f.Path))}.");
    }

    /// <summary>A copy of the config with every pair applied; an unknown field or a bad value is a usage error naming it.</summary>
    public static IModelConfig Apply(IModelConfig config, IEnumerable<KeyValuePair<string, string>> pairs, string where)
    {
        foreach (var (key, text) in pairs)
        {
            var (path, type) = Resolve(config, key, where);
            config = AblationPoints.Ablate(config, path, Parse(text, type, $"{where}: {path}"));
        }
        return config;
    }

    /// <summary>Text to a field's type: numbers, true/false, enum members (any case, or a unique part such as "rms"), strings.</summary>
    public static object? Parse(string text, Type type, string where)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (Nullable.GetUnderlyingType(type) is not null && text.Equals("null", StringComparison.OrdinalIgnoreCase)) return null;
        if (target.IsEnum) return EnumMember(text, target, where);
        if (target == typeof(string)) return text;
        if (target == typeof(bool))
            return text.ToLowerInvariant() switch
            {
                "true" or "yes" or "on" or "1" => true,
                "false" or "no" or "off" or "0" => false,
                _ => throw new ArchUsageException($"{where}: expected true or false, got '{text}'"),
            };
        try { return Convert.ChangeType(text.Replace("_", ""), target, CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            var what = target == typeof(double) || target == typeof(float) ? "a number" : "a whole number";
            throw new ArchUsageException($"{where}: expected {what}, got '{text}'");
        }
    }

    public static object EnumMember(string text, Type enumType, string where)
    {
        var names = Enum.GetNames(enumType);
        var match = names.FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase))
            ?? (names.Where(n => n.Contains(text, StringComparison.OrdinalIgnoreCase)).ToList() is { Count: 1 } one ? one[0] : null);
        return match is not null ? Enum.Parse(enumType, match)
            : throw new ArchUsageException($"{where}: '{text}' is not one of {string.Join(", ", names)}.{Suggestions.DidYouMean(text, names)}");
    }

    /// <summary>"Dim=64, Layers=2, ...": a config's fields and values for help and summaries.</summary>
    public static string Describe(object config) =>
        string.Join(", ", Of(config).Select(f => $"{f.Path}={Values.Format(ValueAt(config, f.Path))}"));

    public static object? ValueAt(object config, string path)
    {
        object? current = config;
        foreach (var part in path.Split('.')) current = current?.GetType().GetProperty(part)?.GetValue(current);
        return current;
    }
}
