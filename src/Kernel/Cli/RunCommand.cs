using System.CommandLine;

namespace ArchNotebooks.Kernel.Cli;

internal static class RunCommand
{
    public static Command Create() => new("run", "execute a notebook headless (not yet)");
}
