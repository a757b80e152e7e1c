using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Subcommands;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Magics;

/// <summary>
/// The <c>#!arch</c> magic. A cell may open with several <c>#!arch</c> lines: this invocation parses
/// and validates all of them (the later ones against the variables the earlier ones will bind), so a
/// mistake anywhere stops the cell before anything ran; then it runs its own line and hands the rest
/// of the cell to the host, which dispatches the next line back here and finally runs the C#.
/// </summary>
public sealed class ArchMagic : IMagicCommand, IMagicAssistance
{
    public static IReadOnlyList<ArchCommand> Commands { get; } =
    [
        new ModelCommand(), new PointsCommand(), new SummaryCommand(), new CheckCommand(), new TrainCommand(),
        new AblateCommand(), new TuneCommand(), new ScaleCommand(), new SubmittedStudyCommand(), new AttentionCommand(), new InterveneCommand(), new RunsCommand(), new CompareCommand(),
        new SqlCommand(), new DeviceCommand(), new ProfileCommand(), new ActivationsCommand(), new SpectrumCommand(),
        new DataCommand(),
    ];

    public static IReadOnlyList<CommandSpec> Specs { get; } = Commands.Select(c => c.Spec).ToList();

    public string Name => "arch";

    public string Summary => "build, train, check, ablate and scale architectures; query the run log (#!arch --help)";

    public MagicCompletion Complete(string arguments, int cursor, IReadOnlyList<NotebookVariable> variables) =>
        ArchAssistance.Complete(arguments, cursor, variables);

    public string? Help(string arguments, int cursor) => ArchAssistance.Help(arguments, cursor);

    public async Task RunAsync(MagicInvocation invocation, IMagicContext context)
    {
        var lines = new List<string> { invocation.Arguments };
        lines.AddRange(LeadingArchLines(invocation.Body));
        var plan = new ArchPlan(context.Variables);
        Func<ArchInvocation, Task>? work = null;
        ArchRequest? first = null;
        for (int i = 0; i < lines.Count; i++)
        {
            try
            {
                var request = CommandLineParser.Parse(VariableReferences.Expand(lines[i], context.Variables), Specs);
                if (request is CommandRequest line) line.Line.Variables = context.Variables;
                var prepared = request is CommandRequest c ? Commands.First(x => x.Spec == c.Line.Spec).Prepare(c.Line, plan) : null;
                if (i == 0) (first, work) = (request, prepared);
            }
            catch (ArchUsageException e) when (i > 0)
            {
                throw new ArchUsageException($"{e.Message}\n(#!arch line {i + 1} of this cell; nothing ran)");
            }
        }
        switch (first)
        {
            case HelpRequest { Subcommand: null }: context.Out.WriteLine(ArchHelp.Overview(Specs)); break;
            case HelpRequest help: context.Out.WriteLine(ArchHelp.For(help.Subcommand)); break;
            case CommandRequest command: await work!(new ArchInvocation(context, command.Line)); break;
        }
        await context.RunBodyAsync();
    }

    /// <summary>The arguments of the #!arch lines that directly follow (blank lines between them allowed).</summary>
    static IEnumerable<string> LeadingArchLines(string body)
    {
        foreach (var raw in body.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            if (!line.StartsWith("#!arch", StringComparison.Ordinal) || (line.Length > 6 && !char.IsWhiteSpace(line[6]))) yield break;
            yield return line[6..].Trim();
        }
    }
}

/// <summary>Loaded by the archnb host (it scans ArchNotebooks.Extensions.dll for <see cref="IKernelExtension"/>): registers <c>#!arch</c>.</summary>
public sealed class ArchMagicExtension : IKernelExtension
{
    public void Load(KernelExtensionContext context)
    {
        context.Magics.Register(new ArchMagic());
        // Families registered from a cell belong to that cell's session (two sessions in one process keep their own).
        ArchNotebooks.Library.Families.Families.Scope ??= () => NotebookSession.Current;
    }
}
