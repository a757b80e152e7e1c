using System.Runtime.CompilerServices;
using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Magics.Session;

/// <summary>
/// Says where runs are logged the first time a session logs to a directory, so a run log never turns up somewhere
/// unexpected (clients start kernels in different directories): next to the notebook when the client said where the
/// notebook is, else the kernel's working directory.
/// </summary>
public static class RunLogLocation
{
    // Per session, without a static that outlives it: the table lets a finished session's set go with it.
    static readonly ConditionalWeakTable<NotebookSession, HashSet<string>> s_announced = new();

    /// <summary>The sentence for <paramref name="directory"/>, or null when this session has said it already.</summary>
    public static string? FirstMention(NotebookSession? session, string directory, bool chosen)
    {
        if (session is not null)
        {
            var said = s_announced.GetOrCreateValue(session);
            lock (said) if (!said.Add(directory)) return null;
        }
        string where = chosen ? "as --runs asks"
            : session?.NotebookDirectory is not null ? "next to the notebook"
            : "in the kernel's working directory (the client did not say where the notebook is)";
        return $"Runs are logged in {directory} ({where}); --runs DIR logs elsewhere.";
    }

    /// <summary>Writes the sentence to the cell's output the first time this session logs to <paramref name="directory"/>.</summary>
    public static void Announce(ArchInvocation run, string directory)
    {
        if (FirstMention(NotebookSession.Current, directory, run.Line.Get<string>("runs") is not null) is { } sentence)
            run.Out.WriteLine(sentence);
    }
}
