namespace ArchNotebooks.Torch.Tests.Support;

/// <summary>The suite's reference scripts (tests/Torch.Tests/reference) run with Debian's PyTorch.</summary>
internal static class Reference
{
    /// <summary>Runs reference/<paramref name="script"/> with <paramref name="args"/>; returns what it printed, throws with its stderr on failure.</summary>
    internal static string Run(string script, params string[] args) =>
        Python.Run([RepositoryRoot.In("tests", "Torch.Tests", "reference", script), .. args]);

    /// <summary>Runs reference/parity.py (the op parity cases, tensor repr) with <paramref name="args"/>.</summary>
    internal static string Parity(params string[] args) => Run("parity.py", args);
}
