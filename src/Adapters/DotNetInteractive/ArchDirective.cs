using ArchNotebooks.Extensions.Magics;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Interactive;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;

namespace ArchNotebooks.DotNetInteractive;

/// <summary>
/// <c>#!arch</c> as a .NET Interactive directive. The host parses every <c>#!</c> line itself and refuses a parameter
/// it was not told of (DNI103), so the directive mirrors our <see cref="CommandSpec"/>s: one subcommand per spec, its
/// options as named parameters (flags as flags), its positional arguments as the implicit parameter. The host's parser
/// only gates and completes the line; our own parser reads it again and runs it, so the rules, messages and help are
/// archnb's.
/// </summary>
static class ArchDirective
{
    const string Name = "#!arch";

    public static void AddTo(CSharpKernel kernel, NotebookSession session)
    {
        var root = new KernelActionDirective(Name, "build, train, check, ablate and scale architectures (#!arch --help)");
        foreach (var flag in new[] { "--help", "-h" })
            root.Parameters.Add(new KernelDirectiveParameter(flag, "what #!arch and each subcommand do") { Flag = true });
        var subcommands = new List<KernelActionDirective>();
        foreach (var spec in ArchMagic.Specs)
        {
            var sub = new KernelActionDirective(spec.Name, spec.Summary);
            if (spec.Arguments.Count > 0)
                sub.Parameters.Add(new KernelDirectiveParameter(spec.Arguments[0].Name, string.Join("; ", spec.Arguments.Select(a => a.Description)))
                {
                    AllowImplicitName = true,
                    MaxOccurrences = spec.Arguments.Any(a => a.Rest) ? 64 : spec.Arguments.Count,
                });
            foreach (var option in spec.Options)
                sub.Parameters.Add(new KernelDirectiveParameter("--" + option.Name, option.Description) { Flag = option.IsFlag, MaxOccurrences = 16 });
            root.Subcommands.Add(sub);
            subcommands.Add(sub);
        }
        var magic = new ArchMagic();
        KernelCommandInvocation run = (command, context) => RunAsync(magic, command, context, kernel, session);
        kernel.AddDirective(root, run);
        foreach (var sub in subcommands) kernel.AddDirective(sub, run);
    }

    static async Task RunAsync(ArchMagic magic, KernelCommand command, KernelInvocationContext context, CSharpKernel kernel, NotebookSession session)
    {
        var arguments = ArgumentsOf(command);
        session.MakeCurrent(); // the cell's cancellation starts in AmbientSession (once per cell)
        using var interrupt = context.CancellationToken.Register(session.Cancellation.Request);
        var magicContext = new InteractiveMagicContext(kernel, context, session);
        try
        {
            // The host splits the cell at each directive and runs the C# below itself, so the magic sees no body.
            await magic.RunAsync(new MagicInvocation("arch", arguments, "", 0), magicContext);
        }
        catch (ArchUsageException e)
        {
            context.Fail(command, null, e.Message);
        }
        finally
        {
            magicContext.Out.Flush();
        }
    }

    /// <summary>
    /// The text after <c>#!arch</c> on the directive's line. A directive handler receives the host's internal
    /// DirectiveCommand, whose only public view of the line is ToString ("Directive: " + the line); the package is
    /// archived, so that shape is fixed.
    /// </summary>
    static string ArgumentsOf(KernelCommand command)
    {
        const string prefix = "Directive: ";
        var text = command.ToString() ?? "";
        if (!text.StartsWith(prefix, StringComparison.Ordinal))
            throw new InvalidOperationException($"#!arch: this .NET Interactive build hands directives over as '{text}', which the adapter cannot read");
        var line = text[prefix.Length..].Trim();
        return line.StartsWith(Name, StringComparison.Ordinal) ? line[Name.Length..].Trim() : line;
    }
}
