using System.CommandLine;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Cli;

/// <summary><c>archnb script FILE.csx [args]</c>: runs a C# script with the notebook host (same references, imports and magics).</summary>
internal static class ScriptCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "the .csx script" };
        var rest = new Argument<string[]>("args") { Description = "arguments for the script (Args inside it)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("script", "run a C# script (.csx) with the notebook host") { file, rest };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists) { Console.Error.WriteLine($"archnb script: {path.FullName} does not exist"); return 2; }
            var scriptArgs = (parse.GetValue(rest) ?? []).Concat(parse.UnmatchedTokens).ToArray();
            return Run(path.FullName, scriptArgs);
        });
        return command;
    }

    private static int Run(string path, string[] args)
    {
        KernelLog.Quiet = true;
        var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        var stderr = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true };
        using var session = new ScriptSession(Path.GetDirectoryName(path), args);
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; session.Interrupt(); };
        var output = new TerminalCellOutput(stdout, stderr);
        var error = session.ExecuteAsync(File.ReadAllText(path), output, Path.GetFileName(path)).GetAwaiter().GetResult();
        return error is null ? 0 : 1;
    }
}

/// <summary>Cell output for a terminal: streams as they are, rich values as their text/plain.</summary>
internal sealed class TerminalCellOutput(TextWriter stdout, TextWriter stderr) : ICellOutput
{
    public void Stream(string name, string text) => (name == "stderr" ? stderr : stdout).Write(text);
    public void Display(MimeBundle bundle, string displayId, bool update) => stdout.WriteLine(bundle.Data[MimeBundle.PlainText]);
    public void Result(MimeBundle bundle) => stdout.WriteLine(bundle.Data[MimeBundle.PlainText]);
    public void Error(CellError error) => stderr.WriteLine(string.Join("\n", error.Traceback));
    private readonly TextReader _stdin = new StreamReader(Console.OpenStandardInput());

    public string? RequestInput(string prompt, bool password)
    {
        stdout.Write(prompt);
        return _stdin.ReadLine();
    }
}
