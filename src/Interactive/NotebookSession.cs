namespace ArchNotebooks.Interactive;

/// <summary>
/// What one notebook session shares with its extensions and magics: formatters, magics, where displays go,
/// and the running cell's cancellation. The host makes one per session (kernel, headless run, script) and
/// passes it through <see cref="KernelExtensionContext"/> and <see cref="IMagicContext"/>; two sessions in one
/// process share nothing.
/// </summary>
public sealed class NotebookSession
{
    // The ambient session: set by the host at the start of each cell, it flows (as an AsyncLocal does) into
    // everything the cell calls, awaits or starts (tasks, threads, timers) and nowhere else. Code that has no
    // context to ask, such as the interrupt checks written into submitted classes or a library's training
    // loop calling Notebook.Display, finds its session here.
    private static readonly AsyncLocal<NotebookSession?> s_current = new();

    public FormatterRegistry Formatters { get; } = new();

    public MagicRegistry Magics { get; } = new();

    public CellCancellation Cancellation { get; } = new();

    /// <summary>
    /// The directory of the notebook whose cells run here, when the host knows it (the client passed the notebook's
    /// path, or the host opened the file itself); null otherwise. Files a notebook makes by default, such as the run
    /// log, go next to it: <see cref="NotebookDirectoryOrWorkingDirectory"/>.
    /// </summary>
    public string? NotebookDirectory { get; set; }

    /// <summary>The notebook's directory when known, else the process's working directory (where clients start the kernel).</summary>
    public string NotebookDirectoryOrWorkingDirectory => NotebookDirectory ?? Directory.GetCurrentDirectory();

    /// <summary>Where displays go; set by the host (null: nowhere).</summary>
    public IDisplaySink? Sink { get; set; }

    /// <summary>The session whose cell is running on this logical flow, or null outside any cell.</summary>
    public static NotebookSession? Current => s_current.Value;

    /// <summary>Host side: makes this the ambient session for the rest of the calling flow (call it inside the async method that runs the cell, so it ends with it).</summary>
    public void MakeCurrent() => s_current.Value = this;

    /// <summary>Shows <paramref name="value"/> now; the handle replaces it in place later.</summary>
    public DisplayHandle Display(object? value, string? displayId = null)
    {
        var handle = new DisplayHandle(displayId ?? Guid.NewGuid().ToString("N"), Sink, Formatters);
        Sink?.Publish(Formatters.Format(value), handle.DisplayId, update: false);
        return handle;
    }

    public void UpdateDisplay(string displayId, object? value) => Sink?.Publish(Formatters.Format(value), displayId, update: true);

    /// <summary>Clears the running cell's outputs (Jupyter's clear_output); <paramref name="wait"/> defers it until the next output.</summary>
    public void ClearOutput(bool wait = false) => Sink?.ClearOutput(wait);
}
