using System.Text.Json.Nodes;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>What the kernel says about itself (kernel_info_reply) and how it is installed (kernel.json).</summary>
internal static class KernelInfo
{
    public const string Name = "archnb";
    public const string DisplayName = "C# (ArchNotebooks)";
    public const string Language = "csharp";

    public static string Version => typeof(KernelInfo).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";

    /// <summary>kernel_info_reply: the protocol's fields here, the language's from the interpreter.</summary>
    public static JsonObject Reply(InterpreterInfo language) => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "archnb",
        ["implementation_version"] = Version,
        ["language_info"] = language.LanguageInfo.DeepClone(),
        ["banner"] = language.Banner,
        ["help_links"] = new JsonArray(language.HelpLinks.Select(l => (JsonNode?)new JsonObject { ["text"] = l.Text, ["url"] = l.Url }).ToArray()),
    };
}
