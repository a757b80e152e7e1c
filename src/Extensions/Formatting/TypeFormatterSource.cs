using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Formatting;

/// <summary>
/// Names the formatter source for a displayable type. .NET Interactive recognises an attribute of
/// this name by reflection (constructor argument <see cref="FormatterSourceType"/>, optional
/// <see cref="PreferredMimeTypes"/>), so our types also format in a Polyglot/.NET Interactive
/// kernel without this project referencing Microsoft.DotNet.Interactive.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = true)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;
    public string[]? PreferredMimeTypes { get; set; }
}

/// <summary>
/// The formatter source our attributes name. .NET Interactive's convention: a parameterless
/// constructor and <c>CreateTypeFormatters()</c> returning objects with a <c>MimeType</c> property
/// and <c>bool Format(object, TextWriter)</c>. Each formatter asks <see cref="ArchFormatters.Registry"/>
/// for the value's bundle and writes the representation of its mime type.
/// </summary>
public sealed class ArchTypeFormatterSource
{
    public static IReadOnlyList<string> MimeTypes { get; } = [MimeBundle.Html, MimeBundle.PlainText, MimeBundle.Plotly, MimeBundle.Svg];

    public IEnumerable<object> CreateTypeFormatters() => MimeTypes.Select(m => new ArchTypeFormatter(m));
}

/// <summary>One mime type of an <see cref="ArchTypeFormatterSource"/>, in .NET Interactive's convention-based shape.</summary>
public sealed class ArchTypeFormatter(string mimeType)
{
    public string MimeType { get; } = mimeType;

    public bool Format(object instance, TextWriter writer)
    {
        var bundle = ArchFormatters.Registry.Format(instance);
        if (!bundle.Data.TryGetValue(MimeType, out var representation)) return false;
        writer.Write(representation is System.Text.Json.Nodes.JsonNode json ? json.ToJsonString() : (string)representation);
        return true;
    }
}
