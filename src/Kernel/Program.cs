using System.CommandLine;
using ArchNotebooks.Kernel.Cli;
using ArchNotebooks.Kernel.Scripting;

// archnb: the ArchNotebooks host. Verbs: kernel (run / install), run (headless notebooks), script, shard (one shard of a study plan).
UnhandledExceptionReport.Install();
var root = new RootCommand("ArchNotebooks: a C# Jupyter kernel, headless notebook runner and script host")
{
    KernelCommands.Create(),
    RunCommand.Create(),
    ScriptCommand.Create(),
    ShardCommand.Create(),
};
return root.Parse(args).Invoke();
