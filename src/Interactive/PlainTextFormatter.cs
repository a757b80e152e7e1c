using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace ArchNotebooks.Interactive;

/// <summary>The fallback text/plain rendering: readable collections, invariant numbers, property dumps for plain classes.</summary>
public sealed class PlainTextFormatter
{
    /// <summary>How many items of a sequence are shown before "...".</summary>
    public int ListExpansionLimit { get; set; } = 20;

    /// <summary>How deep nested collections and objects are expanded.</summary>
    public int RecursionLimit { get; set; } = 3;

    public string Format(object? value)
    {
        var text = new StringBuilder();
        Write(value, text, 0);
        return text.ToString();
    }

    private void Write(object? value, StringBuilder text, int depth)
    {
        switch (value)
        {
            case null: text.Append("null"); return;
            case string s: text.Append(depth == 0 ? s : Quote(s)); return;
            case bool b: text.Append(b ? "true" : "false"); return;
            case char c: text.Append(depth == 0 ? c.ToString() : $"'{c}'"); return;
            case IFormattable f when value.GetType().IsPrimitive || value is decimal or DateTime or DateTimeOffset or TimeSpan or Guid or Enum:
                text.Append(f.ToString(null, CultureInfo.InvariantCulture)); return;
        }
        var type = value.GetType();
        if (depth >= RecursionLimit) { text.Append(value.ToString()); return; }
        if (value is IDictionary dictionary) { WriteDictionary(dictionary, text, depth); return; }
        if (value is IEnumerable sequence && !HasOwnToString(type)) { WriteSequence(sequence, text, depth); return; }
        var own = value.ToString();
        if (own is not null && own != type.ToString()) { text.Append(own); return; }
        WriteProperties(value, type, text, depth);
    }

    private void WriteSequence(IEnumerable sequence, StringBuilder text, int depth)
    {
        text.Append('[');
        int n = 0;
        foreach (var item in sequence)
        {
            if (n > 0) text.Append(", ");
            if (n++ == ListExpansionLimit) { text.Append("..."); break; }
            Write(item, text, depth + 1);
        }
        text.Append(']');
    }

    private void WriteDictionary(IDictionary dictionary, StringBuilder text, int depth)
    {
        text.Append('{');
        int n = 0;
        foreach (DictionaryEntry entry in dictionary)
        {
            if (n > 0) text.Append(", ");
            if (n++ == ListExpansionLimit) { text.Append("..."); break; }
            Write(entry.Key, text, depth + 1);
            text.Append(": ");
            Write(entry.Value, text, depth + 1);
        }
        text.Append('}');
    }

    private void WriteProperties(object value, Type type, StringBuilder text, int depth)
    {
        text.Append(FriendlyName(type)).Append(" { ");
        int n = 0;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !property.CanRead) continue;
            if (n++ > 0) text.Append(", ");
            text.Append(property.Name).Append(" = ");
            try { Write(property.GetValue(value), text, depth + 1); }
            catch (Exception e) { text.Append('<').Append((e.InnerException ?? e).GetType().Name).Append('>'); }
        }
        text.Append(n == 0 ? "}" : " }");
    }

    private static bool HasOwnToString(Type type) =>
        type.GetMethod(nameof(ToString), Type.EmptyTypes)?.DeclaringType is { } declaring
        && declaring != typeof(object) && !declaring.Namespace!.StartsWith("System", StringComparison.Ordinal);

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static string FriendlyName(Type type)
    {
        if (!type.IsGenericType) return type.Name;
        int tick = type.Name.IndexOf('`');
        var name = tick >= 0 ? type.Name[..tick] : type.Name;
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(FriendlyName))}>";
    }
}
