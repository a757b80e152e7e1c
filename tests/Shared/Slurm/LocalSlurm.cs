using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ArchNotebooks.Tests.Shared.Slurm;

/// <summary>
/// A private one-node Slurm cluster on this machine: a munge key and munged with its own socket, a
/// slurm.conf naming this host as controller and only node, and slurmctld + slurmd in the foreground,
/// all under one temporary directory. Sets SLURM_CONF so sbatch and squeue in this process talk to it;
/// Dispose stops exactly the daemons it started and puts SLURM_CONF back.
/// </summary>
public sealed class LocalSlurm : IDisposable
{
    static readonly string[] Programs = ["/usr/sbin/munged", "/usr/sbin/mungekey", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue", "/usr/bin/sinfo"];

    readonly List<Process> daemons = new();
    readonly string? previousConf = Environment.GetEnvironmentVariable("SLURM_CONF");
    public string Directory { get; }
    public string Conf => Path.Combine(Directory, "slurm.conf");

    /// <summary>Why this machine cannot run the cluster (not root, packages missing), or null.</summary>
    public static string? CannotRun()
    {
        if (!OperatingSystem.IsLinux()) return "Slurm tests need Linux";
        if (Environment.UserName != "root") return "Slurm tests start slurmctld and slurmd with SlurmUser=root: run them as root";
        var missing = Programs.Where(p => !File.Exists(p)).ToList();
        return missing.Count == 0 ? null : $"{string.Join(", ", missing)} missing: apt-get install slurm-wlm munge (./archnb test installs them)";
    }

    LocalSlurm()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("archnb-slurm-").FullName;   // mode 0700, as munged wants its key's directory
        foreach (var d in new[] { "munge", "state", "spool", "log" }) System.IO.Directory.CreateDirectory(Path.Combine(Directory, d));
    }

    /// <summary>Starts munged, slurmctld and slurmd and waits until the node is idle.</summary>
    public static LocalSlurm Start(TimeSpan? timeout = null)
    {
        var slurm = new LocalSlurm();
        try
        {
            slurm.Boot(timeout ?? TimeSpan.FromSeconds(60));
            return slurm;
        }
        catch
        {
            slurm.Dispose();
            throw;
        }
    }

    void Boot(TimeSpan timeout)
    {
        string munge = Path.Combine(Directory, "munge"), key = Path.Combine(munge, "munge.key"), socket = Path.Combine(munge, "munge.socket");
        Must("/usr/sbin/mungekey", "--create", $"--keyfile={key}");
        Daemon("/usr/sbin/munged", "--foreground", "--force", $"--key-file={key}", $"--socket={socket}", $"--pid-file={Path.Combine(munge, "munged.pid")}",
            $"--log-file={Path.Combine(munge, "munged.log")}", $"--seed-file={Path.Combine(munge, "munged.seed")}");
        WaitFor(() => File.Exists(socket), timeout, "munged's socket");
        var host = Dns.GetHostName().Split('.')[0];
        File.WriteAllText(Conf, $"""
            # A one-node test cluster written by the tests' LocalSlurm; everything lives under {Directory}.
            ClusterName=archnbtest
            SlurmctldHost={host}(127.0.0.1)
            SlurmctldPort={FreePort()}
            SlurmdPort={FreePort()}
            AuthType=auth/munge
            AuthInfo=socket={socket}
            CredType=cred/munge
            SlurmUser=root
            SlurmdUser=root
            StateSaveLocation={Path.Combine(Directory, "state")}
            SlurmdSpoolDir={Path.Combine(Directory, "spool")}
            SlurmctldPidFile={Path.Combine(Directory, "slurmctld.pid")}
            SlurmdPidFile={Path.Combine(Directory, "slurmd.pid")}
            SlurmctldLogFile={Path.Combine(Directory, "log", "slurmctld.log")}
            SlurmdLogFile={Path.Combine(Directory, "log", "slurmd.log")}
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SchedulerType=sched/backfill
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            ReturnToService=2
            MpiDefault=none
            JobCompType=jobcomp/none
            AccountingStorageType=accounting_storage/none
            JobAcctGatherType=jobacct_gather/none
            SwitchType=switch/none
            NodeName={host} NodeAddr=127.0.0.1 CPUs={Environment.ProcessorCount} State=UNKNOWN
            PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP

            """);
        Environment.SetEnvironmentVariable("SLURM_CONF", Conf);
        Daemon("/usr/sbin/slurmctld", "-D", "-c", "-f", Conf);
        Daemon("/usr/sbin/slurmd", "-D", "-f", Conf);
        WaitFor(() => Run("/usr/bin/sinfo", "--noheader", "--format=%T").Output.Trim() == "idle", timeout, "the node to be idle");
    }

    /// <summary>The daemons' logs, for a failure message.</summary>
    public string Logs() => string.Join("\n", new[] { "slurmctld.log", "slurmd.log" }.Select(f => Path.Combine(Directory, "log", f)).Where(File.Exists)
        .Select(f => $"--- {Path.GetFileName(f)} (last lines)\n{string.Join("\n", File.ReadLines(f).TakeLast(20))}"));

    void WaitFor(Func<bool> ready, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            var dead = daemons.FirstOrDefault(d => d.HasExited);
            if (dead is not null) throw new InvalidOperationException($"{dead.StartInfo.FileName} exited ({dead.ExitCode}) while waiting for {what}\n{Logs()}");
            if (clock.Elapsed > timeout) throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what}\n{Logs()}");
            Thread.Sleep(200);
        }
    }

    void Daemon(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        daemons.Add(process);
    }

    static (int Code, string Output) Run(string program, params string[] args) => ChildProcess.Run(program, args, timeoutSeconds: 30);

    static void Must(string program, params string[] args)
    {
        var (code, output) = Run(program, args);
        if (code != 0) throw new InvalidOperationException($"{program} failed ({code}): {output}");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        // Jobs a failed test left behind stop with the cluster (SLURM_CONF still names this one).
        if (daemons.Count == 3 && !daemons.Any(d => d.HasExited)) Run("/usr/bin/scancel", "--quiet", "--partition=test");
        // slurmd first, so no job step outlives the controller that would reap it; then the controller, then munge.
        foreach (var daemon in Enumerable.Reverse(daemons))
        {
            try
            {
                if (!daemon.HasExited) { daemon.Kill(); daemon.WaitForExit(10_000); }
            }
            catch (InvalidOperationException) { }
            daemon.Dispose();
        }
        Environment.SetEnvironmentVariable("SLURM_CONF", previousConf);
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }   // a job's output still being written: a temporary directory, left behind
    }
}
