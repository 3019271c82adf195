using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using OpenClaw.Node.Service;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// A real, private systemd user manager (<c>systemd --user</c>) for service tests on a machine whose PID 1 is not
/// systemd. systemd refuses to run as a user instance unless <c>/run/systemd/system</c> exists ("system has not been
/// booted with systemd"), so it runs in its own mount namespace (<c>unshare -m</c>, root) with a tmpfs over
/// <c>/run/systemd</c>; nothing outside that namespace changes. It has its own HOME (unit directory
/// <c>HOME/.config/systemd/user</c>) and XDG_RUNTIME_DIR; <c>systemctl --user</c> reaches it through
/// <c>XDG_RUNTIME_DIR/systemd/private</c>. Needs root, util-linux <c>unshare</c> and <c>/lib/systemd/systemd</c>.
/// </summary>
public sealed class SystemdUserManager : IAsyncDisposable
{
    private readonly Process _process;

    private SystemdUserManager(Process process, string root)
    {
        _process = process;
        Root = root;
    }

    /// <summary>Folder holding home/ and run/.</summary>
    public string Root { get; }

    /// <summary>The manager's HOME.</summary>
    public string Home => Path.Combine(Root, "home");

    /// <summary>The manager's XDG_RUNTIME_DIR.</summary>
    public string RuntimeDirectory => Path.Combine(Root, "run");

    /// <summary>Where user units go.</summary>
    public string UnitDirectory => Path.Combine(Home, ".config", "systemd", "user");

    /// <summary>Environment that points systemctl at this manager.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["HOME"] = Home,
        ["XDG_RUNTIME_DIR"] = RuntimeDirectory,
    };

    /// <summary>A real shell (child processes, no shell) that talks to this manager.</summary>
    public ProcessServiceManagerShell Shell => new(Environment, TimeSpan.FromSeconds(60));

    /// <summary>Starts the manager and waits (bounded) until <c>systemctl --user</c> answers.</summary>
    public static async Task<SystemdUserManager> StartAsync()
    {
        string root = Path.Combine(Path.GetTempPath(), "oc-sd-" + Guid.NewGuid().ToString("N").Substring(0, 10));
        Directory.CreateDirectory(Path.Combine(root, "home"));
        Directory.CreateDirectory(Path.Combine(root, "run"));
        File.SetUnixFileMode(Path.Combine(root, "run"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var psi = new ProcessStartInfo("unshare") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-m", "sh", "-c", "mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/system && exec /lib/systemd/systemd --user" }) { psi.ArgumentList.Add(a); }
        psi.Environment["HOME"] = Path.Combine(root, "home");
        psi.Environment["XDG_RUNTIME_DIR"] = Path.Combine(root, "run");
        Process p = Process.Start(psi)!;
        var manager = new SystemdUserManager(p, root);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (p.HasExited)
            {
                throw new InvalidOperationException($"systemd --user exited with {p.ExitCode}: this test needs root, unshare and /lib/systemd/systemd.");
            }
            if (manager.Shell.Run("systemctl", new[] { "--user", "show", "-p", "Version" }).Succeeded) { return manager; }
            if (watch.Elapsed > TimeSpan.FromSeconds(30)) { await manager.DisposeAsync(); throw new TimeoutException("systemd --user did not answer within 30 s."); }
            await Task.Delay(100);
        }
    }

    /// <summary>Asks the manager to exit (stopping its units), then kills it if it does not.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Shell.Run("systemctl", new[] { "--user", "exit" });
                using var cts = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(30));
                try { await _process.WaitForExitAsync(cts.Token); }
                catch (OperationCanceledException) { _process.Kill(true); }
            }
        }
        finally
        {
            _process.Dispose();
            try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
