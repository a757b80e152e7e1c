namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// Where the notebook a client runs lives, from what clients pass. No message field carries it, so each client's
/// own habit is read: VS Code names every cell by a <c>vscode-notebook-cell:</c> URI holding the notebook's path
/// (execute_request metadata.cellId); Jupyter Server 2 starts the kernel with JPY_SESSION_NAME set to the notebook's
/// full path (and its directory as the working directory, as nbclient and nbconvert do). A path that is not
/// absolute (an untitled notebook) or whose directory does not exist tells nothing.
/// </summary>
internal static class NotebookLocation
{
    public const string SessionNameVariable = "JPY_SESSION_NAME";

    /// <summary>The notebook's directory from the environment the kernel was started with, or null.</summary>
    public static string? FromEnvironment() => DirectoryOf(Environment.GetEnvironmentVariable(SessionNameVariable));

    /// <summary>The notebook's directory from an execute_request's metadata, or null when the client did not name it.</summary>
    public static string? FromRequest(JupyterMessage request) =>
        request.Metadata["cellId"] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue(out string? cellId)
        && Uri.TryCreate(cellId, UriKind.Absolute, out var uri) && uri.Scheme == "vscode-notebook-cell"
            ? DirectoryOf(Uri.UnescapeDataString(uri.AbsolutePath))
            : null;

    private static string? DirectoryOf(string? notebookPath)
    {
        if (string.IsNullOrWhiteSpace(notebookPath) || !Path.IsPathFullyQualified(notebookPath)) return null;
        var directory = Path.GetDirectoryName(notebookPath);
        return directory is not null && Directory.Exists(directory) ? directory : null;
    }
}
