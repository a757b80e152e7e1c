namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// What the process says when code throws where no cell can catch it (a thread, a timer, an async void):
/// .NET ends the process then, and nothing can keep it alive, so the reason goes to the real stderr
/// (Jupyter shows a dying kernel's stderr) and each registered last action runs: the kernel tells the
/// running cell's front end, <c>archnb run</c> saves the notebook and report it has so far.
/// </summary>
internal static class UnhandledExceptionReport
{
    private static readonly List<Action<string>> s_lastActions = new();
    private static int s_installed;

    /// <summary>Hooks the process's unhandled-exception event (once).</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 0) AppDomain.CurrentDomain.UnhandledException += OnUnhandled;
    }

    /// <summary>Runs <paramref name="action"/> with the report's text when an unhandled exception ends the process.</summary>
    public static void OnProcessEnding(Action<string> action)
    {
        lock (s_lastActions) s_lastActions.Add(action);
    }

    private static void OnUnhandled(object? sender, UnhandledExceptionEventArgs e)
    {
        var thread = Thread.CurrentThread;
        var where = thread.Name is { Length: > 0 } name ? $"thread '{name}'" : thread.IsThreadPoolThread ? "a thread-pool thread (a timer, a task or an async void)" : $"thread {thread.ManagedThreadId}";
        var text = $"archnb: an unhandled exception on {where} ends the process (.NET ends it when code on a thread, a timer or an async void throws and nothing catches it):\n{e.ExceptionObject}\n";
        WriteToStderr(text);
        Action<string>[] actions;
        lock (s_lastActions) actions = s_lastActions.ToArray();
        foreach (var action in actions)
        {
            try { action(text); }
            catch (Exception failure) { WriteToStderr($"archnb: while the process was ending, saving failed: {failure.GetType().Name}: {failure.Message}\n"); }
        }
    }

    // Console.Error belongs to the cells (ConsoleRouter); the process's own stderr is opened afresh.
    private static void WriteToStderr(string text)
    {
        try
        {
            using var stderr = new StreamWriter(Console.OpenStandardError());
            stderr.Write(text);
        }
        catch (IOException) { }
    }
}
