using System.CommandLine;

namespace ArchNotebooks.Kernel.Cli;

/// <summary><c>archnb demo [--steps N] [--seed S]</c>: the spirals MLP (Demo.cs parses its own options).</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "train a tiny MLP on two spirals with the libtorch binding") { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(parse => Demo.Run(parse.UnmatchedTokens.ToArray()));
        return command;
    }
}
