using System.CommandLine;
using ArchNotebooks.Kernel.Jupyter;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Cli;

/// <summary><c>archnb kernel -f CONNECTION_FILE</c> runs the Jupyter kernel; <c>archnb kernel install</c> writes its kernelspec.</summary>
internal static class KernelCommands
{
    public static Command Create()
    {
        var connectionFile = new Option<FileInfo>("--connection-file", "-f") { Description = "the connection file written by the Jupyter client" };
        var kernel = new Command("kernel", "run the Jupyter kernel (started by a Jupyter client through the kernelspec)") { connectionFile, CreateInstall() };
        kernel.SetAction(parse =>
        {
            var file = parse.GetValue(connectionFile);
            if (file is null) { Console.Error.WriteLine("archnb kernel: -f CONNECTION_FILE is required (Jupyter passes it; see 'archnb kernel install')"); return 2; }
            if (!file.Exists) { Console.Error.WriteLine($"archnb kernel: {file.FullName} does not exist"); return 2; }
            ConnectionFile connection;
            try { connection = ConnectionFile.Read(file.FullName); }
            catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException) { Console.Error.WriteLine($"archnb kernel: {e.Message}"); return 2; }
            using var server = new JupyterKernel(connection);
            return server.Run();
        });
        return kernel;
    }

    private static Command CreateInstall()
    {
        var user = new Option<bool>("--user") { Description = "install for this user (~/.local/share/jupyter/kernels)" };
        var sysPrefix = new Option<bool>("--sys-prefix") { Description = "install into the active Python environment's prefix ($VIRTUAL_ENV, $CONDA_PREFIX, else /usr)" };
        var prefix = new Option<DirectoryInfo>("--prefix") { Description = "install into DIR/share/jupyter/kernels" };
        var name = new Option<string>("--name") { Description = "kernelspec name", DefaultValueFactory = _ => KernelInfo.Name };
        var install = new Command("install", "write the kernelspec so Jupyter front ends can start this kernel") { user, sysPrefix, prefix, name };
        install.SetAction(parse =>
        {
            var chosen = new[] { parse.GetValue(user), parse.GetValue(sysPrefix), parse.GetValue(prefix) is not null }.Count(b => b);
            if (chosen > 1) { Console.Error.WriteLine("archnb kernel install: choose one of --user, --sys-prefix, --prefix"); return 2; }
            string kernelsDir =
                parse.GetValue(prefix) is { } dir ? Path.Combine(dir.FullName, "share", "jupyter", "kernels")
                : parse.GetValue(user) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "jupyter", "kernels")
                : parse.GetValue(sysPrefix) ? Path.Combine(Environment.GetEnvironmentVariable("VIRTUAL_ENV") ?? Environment.GetEnvironmentVariable("CONDA_PREFIX") ?? "/usr", "share", "jupyter", "kernels")
                : "/usr/local/share/jupyter/kernels";
            var specDir = KernelSpec.Install(kernelsDir, parse.GetValue(name)!);
            Console.WriteLine($"Installed kernelspec {parse.GetValue(name)} in {specDir}");
            return 0;
        });
        return install;
    }
}
