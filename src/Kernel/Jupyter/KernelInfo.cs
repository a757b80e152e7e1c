using System.Text.Json.Nodes;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>What the kernel says about itself (kernel_info_reply) and how it is installed (kernel.json).</summary>
internal static class KernelInfo
{
    public const string Name = "archnb";
    public const string DisplayName = "C# (ArchNotebooks)";
    public const string Language = "csharp";

    public static string Version => typeof(KernelInfo).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";

    public static string Banner =>
        $"ArchNotebooks C# kernel {Version} — Roslyn scripting on .NET {Environment.Version}; #!lsmagic lists the magics";

    public static JsonObject LanguageInfo() => new()
    {
        ["name"] = Language,
        ["version"] = "14.0",
        ["mimetype"] = "text/x-csharp",
        ["file_extension"] = ".cs",
        ["pygments_lexer"] = "csharp",
        ["codemirror_mode"] = "text/x-csharp",
    };

    public static JsonObject Reply() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "archnb",
        ["implementation_version"] = Version,
        ["language_info"] = LanguageInfo(),
        ["banner"] = Banner,
        ["help_links"] = new JsonArray(new JsonObject { ["text"] = "C# language reference", ["url"] = "https://learn.microsoft.com/dotnet/csharp/" }),
    };
}
