using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ArchNotebooks.Library.Tasks;

namespace ArchNotebooks.Library.Studies.Plans;

/// <summary>A synthetic task as a shard process rebuilds it: its type and the constructor arguments read back from the instance.</summary>
public sealed record TaskReference(string Type, string Name, IReadOnlyDictionary<string, JsonElement> Arguments);

/// <summary>
/// Turns configs and tasks into JSON that another process (a shard, on another machine) turns back into
/// equal objects, and says why when it cannot. Only types the archnb build itself carries qualify: a
/// type declared in a notebook cell lives in that kernel's in-memory assembly, which no other process has.
/// </summary>
public static class PortableValues
{
    /// <summary>Enums by name and NaN/infinity as literals, like the run log; snake_case keys for other schedulers' readers.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The name a shard loads <paramref name="type"/> by; an error naming why when a shard could not load it.</summary>
    public static string TypeName(Type type, string what)
    {
        var assembly = type.Assembly;
        if (assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location))
            throw new NotSupportedException($"{what} is of type {type.Name}, declared in a notebook cell or another in-memory assembly; a shard process cannot load it, " +
                "so the study cannot be submitted. Submit studies over the library's families and tasks, or run this one in the notebook (without --submit).");
        var home = Path.GetFullPath(AppContext.BaseDirectory).TrimEnd(Path.DirectorySeparatorChar);
        if (!string.Equals(Path.GetDirectoryName(Path.GetFullPath(assembly.Location)), home, StringComparison.Ordinal))
            throw new NotSupportedException($"{what} is of type {type.Name} from {assembly.Location}, outside the archnb build ({home}); a shard process loads only the build's assemblies, so the study cannot be submitted.");
        if (type.IsGenericType || type.IsNested && !type.IsNestedPublic)
            throw new NotSupportedException($"{what} is of type {type.Name}, which a shard cannot name (generic or not public).");
        return $"{type.FullName}, {assembly.GetName().Name}";
    }

    public static Type LoadType(string name, string what) =>
        Type.GetType(name, throwOnError: false) ?? throw new InvalidDataException($"{what}: type '{name}' is not in this archnb build");

    /// <summary>The config as JSON, after checking that the JSON rebuilds a config that serialises the same.</summary>
    public static (string Type, JsonElement Json) Config(object config, string what)
    {
        var type = config.GetType();
        var name = TypeName(type, what);
        JsonElement json;
        try { json = JsonSerializer.SerializeToElement(config, type, Json); }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new NotSupportedException($"{what} ({type.Name}) cannot be written as JSON: {e.Message}", e);
        }
        object rebuilt;
        try { rebuilt = JsonSerializer.Deserialize(json, type, Json) ?? throw new JsonException("null"); }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw new NotSupportedException($"{what} ({type.Name}) is written as JSON but cannot be read back from it ({e.Message}), so a shard could not rebuild it.", e);
        }
        var again = JsonSerializer.SerializeToElement(rebuilt, type, Json);
        if (again.GetRawText() != json.GetRawText())
            throw new NotSupportedException($"{what} ({type.Name}) does not survive JSON: rebuilt from its JSON it differs, so a shard would train something else.");
        return (name, json);
    }

    public static object ReadConfig(string type, JsonElement json, string what)
    {
        var t = LoadType(type, what);
        try { return JsonSerializer.Deserialize(json, t, Json) ?? throw new InvalidDataException($"{what}: the config is null"); }
        catch (JsonException e) { throw new InvalidDataException($"{what}: the config is not a valid {t.Name}: {e.Message}", e); }
    }

    /// <summary>
    /// The task's constructor arguments, each read from the public property of the same name; checked by
    /// rebuilding the task and comparing its name and description (which spell out its settings).
    /// </summary>
    public static TaskReference Task(ISyntheticTask task, string what)
    {
        var type = task.GetType();
        var name = TypeName(type, what);
        var constructor = Constructor(type);
        var arguments = new Dictionary<string, JsonElement>();
        foreach (var parameter in constructor.GetParameters())
        {
            var value = Argument(task, parameter.Name!)
                ?? throw new NotSupportedException($"{what} ({type.Name}) takes '{parameter.Name}' but does not show it as a property, so a shard could not rebuild it.");
            arguments[parameter.Name!] = JsonSerializer.SerializeToElement(Convert.ChangeType(value, parameter.ParameterType, System.Globalization.CultureInfo.InvariantCulture), parameter.ParameterType, Json);
        }
        var reference = new TaskReference(name, task.Name, arguments);
        var rebuilt = ReadTask(reference, what);
        if (rebuilt.Name != task.Name || rebuilt.Description != task.Description)
            throw new NotSupportedException($"{what} ({type.Name}) rebuilt from its constructor arguments is '{rebuilt.Description}', not '{task.Description}'; a shard would train on another task.");
        return reference;
    }

    // Where a task keeps a constructor argument under another name (checked by the rebuild in Task).
    static readonly Dictionary<string, string[]> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["size"] = ["ImageSize", "FrameSize"],
        ["classes"] = ["NumClasses"],
    };

    static object? Argument(ISyntheticTask task, string parameter)
    {
        const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase;
        foreach (var name in Aliases.GetValueOrDefault(parameter, []).Prepend(parameter))
            if (task.GetType().GetProperty(name, Public) is { } property) return property.GetValue(task);
        // Modular addition takes the training share and keeps the test share.
        if (string.Equals(parameter, "trainFraction", StringComparison.OrdinalIgnoreCase) && task.GetType().GetProperty("TestFraction", Public)?.GetValue(task) is double test)
            return 1 - test;
        return null;
    }

    public static ISyntheticTask ReadTask(TaskReference reference, string what)
    {
        var type = LoadType(reference.Type, what);
        if (!typeof(ISyntheticTask).IsAssignableFrom(type)) throw new InvalidDataException($"{what}: {type.Name} is not a task");
        var parameters = Constructor(type).GetParameters();
        var values = parameters.Select(p => reference.Arguments.TryGetValue(p.Name!, out var v)
            ? JsonSerializer.Deserialize(v, p.ParameterType, Json)
            : p.HasDefaultValue ? p.DefaultValue : throw new InvalidDataException($"{what}: task {type.Name} needs '{p.Name}'")).ToArray();
        try { return (ISyntheticTask)Activator.CreateInstance(type, values)!; }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException bad)
        {
            throw new InvalidDataException($"{what}: task {type.Name} rejects its arguments: {bad.Message}", bad);
        }
    }

    static ConstructorInfo Constructor(Type type) =>
        type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
        ?? throw new NotSupportedException($"{type.Name} has no public constructor, so a shard could not rebuild it.");
}
