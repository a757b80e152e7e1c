using System.Runtime.CompilerServices;

namespace ArchNotebooks.Library.Families;

/// <summary>A family a researcher registered at run time: a name for their config, as the library's families have.</summary>
/// <param name="Default">The config <c>#!arch model &lt;name&gt;</c> starts from (before <c>--config</c> and shaping to a task).</param>
/// <param name="WidthField">The whole-number field <c>#!arch scale &lt;name&gt;</c> sets by default (null: the user names it with --field).</param>
public sealed record FamilyRegistration(string Name, IModelConfig Default, string? WidthField, string Description);

/// <summary>
/// Families registered from a notebook cell or a script, so <c>#!arch model gda</c>, <c>#!arch points gda</c> and
/// <c>#!arch scale gda</c> work on a config the researcher wrote: <c>Families.Register("gda", new GdaConfig())</c>.
/// </summary>
/// <remarks>
/// Registrations belong to a scope: the notebook session whose cell made them (the notebook extension sets
/// <see cref="Scope"/> to find it), or the process when there is none (a plain C# program, a library test).
/// Two sessions in one process therefore see only their own families. Registering a name again replaces it,
/// so re-running the cell that defines a config is harmless.
/// </remarks>
public static class Families
{
    static readonly ConditionalWeakTable<object, Dictionary<string, FamilyRegistration>> scopes = new();
    static readonly object process = new();

    /// <summary>Which session a call belongs to; set once by a host (the notebook extension returns the running cell's session).</summary>
    public static Func<object?>? Scope { get; set; }

    /// <summary>Registers <paramref name="config"/> as the default of a family called <paramref name="name"/>.</summary>
    /// <param name="widthField">A whole-number property of the config that a scaling study varies (e.g. "Dim").</param>
    /// <exception cref="ArgumentException">The name is not a plain word, or <paramref name="widthField"/> is not a whole-number property.</exception>
    public static FamilyRegistration Register(string name, IModelConfig config, string? widthField = null, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(config);
        if (!name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_') || !char.IsLetter(name[0]))
            throw new ArgumentException($"a family name is a word a magic line can carry (letters, digits, - and _, starting with a letter); got '{name}'", nameof(name));
        if (widthField is not null)
        {
            var property = config.GetType().GetProperty(widthField)
                ?? throw new ArgumentException($"{config.GetType().Name} has no property '{widthField}' to scale; its properties: {string.Join(", ", config.GetType().GetProperties().Select(p => p.Name))}", nameof(widthField));
            if (property.PropertyType != typeof(int) && property.PropertyType != typeof(long))
                throw new ArgumentException($"{config.GetType().Name}.{widthField} is a {property.PropertyType.Name}; a width to scale must be a whole number (int or long)", nameof(widthField));
        }
        var registration = new FamilyRegistration(name, config, widthField, description ?? $"{config.GetType().Name} (registered)");
        var table = Current();
        lock (table) table[name.ToLowerInvariant()] = registration;
        return registration;
    }

    /// <summary>Removes a registered family; false when there was none by that name.</summary>
    public static bool Unregister(string name)
    {
        var table = Current();
        lock (table) return table.Remove(name.ToLowerInvariant());
    }

    /// <summary>The families registered in the current scope, in name order.</summary>
    public static IReadOnlyList<FamilyRegistration> Registered
    {
        get
        {
            var table = Current();
            lock (table) return table.Values.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToList();
        }
    }

    /// <summary>The registered family of that name (any case), or null.</summary>
    public static FamilyRegistration? Find(string name)
    {
        var table = Current();
        lock (table) return table.GetValueOrDefault(name.ToLowerInvariant());
    }

    static Dictionary<string, FamilyRegistration> Current() => scopes.GetValue(Scope?.Invoke() ?? process, _ => new());
}
