using ArchNotebooks.Library.Families;

namespace ArchNotebooks.Library.Ablation;

/// <summary>One ablation point of a config: the field, what it tests, its current value and what it can become.</summary>
public sealed record AblationPoint(string Field, string Description, object? Current, IReadOnlyList<object?> Alternatives)
{
    public override string ToString() =>
        $"{Field} = {Format(Current)}  ({Description}; alternatives: {string.Join(", ", Alternatives.Select(Format))})";

    static string Format(object? v) => v switch { null => "null", bool b => b ? "true" : "false", string s => $"\"{s}\"", _ => v.ToString()! };
}

/// <summary>Lists and applies the ablation points of any config record, by reflection over its [Ablation] fields.</summary>
public static class AblationPoints
{
    /// <summary>The config's ablation points, including those of nested configs as "Inner.Field".</summary>
    public static IReadOnlyList<AblationPoint> For(object config, string prefix = "")
    {
        var points = new List<AblationPoint>();
        foreach (var property in config.GetType().GetProperties())
        {
            if (typeof(IModelConfig).IsAssignableFrom(property.PropertyType) && property.GetValue(config) is { } inner)
            {
                points.AddRange(For(inner, prefix + property.Name + "."));
                continue;
            }
            var attribute = property.GetCustomAttributes(typeof(AblationAttribute), true).OfType<AblationAttribute>().FirstOrDefault();
            if (attribute is null) continue;
            var current = property.GetValue(config);
            IEnumerable<object?> alternatives = attribute.Alternatives.Length > 0 ? attribute.Alternatives
                : property.PropertyType == typeof(bool) ? new object?[] { !(bool)current! }
                : property.PropertyType.IsEnum ? Enum.GetValues(property.PropertyType).Cast<object?>()
                : Array.Empty<object?>();
            points.Add(new AblationPoint(prefix + property.Name, attribute.Description, current,
                alternatives.Select(a => Convert(a, property.PropertyType)).Where(a => !Equals(a, current)).ToList()));
        }
        return points;
    }

    /// <summary>A copy of the config with one field changed (what <c>with { Field = value }</c> does, by name).</summary>
    public static T Ablate<T>(T config, string field, object? value) where T : notnull
    {
        var type = config.GetType();
        int dot = field.IndexOf('.');
        if (dot > 0)
        {
            var outer = type.GetProperty(field[..dot]) ?? throw new ArgumentException($"{type.Name} has no field '{field[..dot]}'");
            return Ablate(config, field[..dot], Ablate(outer.GetValue(config)!, field[(dot + 1)..], value));
        }
        var property = type.GetProperty(field) ?? throw new ArgumentException($"{type.Name} has no field '{field}'; fields: {string.Join(", ", type.GetProperties().Select(p => p.Name))}");
        var clone = type.GetMethod("<Clone>$") ?? throw new ArgumentException($"{type.Name} is not a record, so it cannot be copied with a change");
        var copy = (T)clone.Invoke(config, null)!;
        property.SetValue(copy, Convert(value, property.PropertyType));
        return copy;
    }

    /// <summary>Every single-field variant of a baseline: one config per (point, alternative), named "Field=value".</summary>
    public static IReadOnlyList<(string name, T config)> Variants<T>(T baseline) where T : notnull =>
        For(baseline).SelectMany(p => p.Alternatives.Select(a => ($"{p.Field}={a}", Ablate(baseline, p.Field, a)))).ToList();

    static object? Convert(object? value, Type type) =>
        value is null || type.IsInstanceOfType(value) ? value
        : type.IsEnum ? Enum.Parse(type, value.ToString()!)
        : System.Convert.ChangeType(value, Nullable.GetUnderlyingType(type) ?? type, System.Globalization.CultureInfo.InvariantCulture);
}
