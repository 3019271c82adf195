using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Service;

/// <summary>
/// The node service as a systemd unit: user scope (<c>systemctl --user</c>, unit in <c>~/.config/systemd/user</c>) or
/// system scope (<c>systemctl</c>, unit in <c>/etc/systemd/system</c> with <c>User=</c>). The token is in
/// <c>&lt;stateDir&gt;/node.systemd.env</c> (0600), loaded with <c>EnvironmentFile=-</c>.
/// </summary>
public sealed class SystemdServiceController : NodeServiceController
{
    private readonly string _unitDirectory;
    private readonly string _userName;

    /// <summary>Creates the controller.</summary>
    /// <param name="shell">The manager seam.</param>
    /// <param name="scope">User or system unit.</param>
    /// <param name="unitDirectory">Where the unit file goes; default <c>$XDG_CONFIG_HOME/systemd/user</c> (else <c>~/.config/systemd/user</c>) or <c>/etc/systemd/system</c>.</param>
    /// <param name="userName">The user whose lingering is checked (user scope); default the current user.</param>
    public SystemdServiceController(IServiceManagerShell shell, NodeServiceScope scope, string? unitDirectory = null, string? userName = null)
        : base(shell, scope)
    {
        _userName = userName ?? Environment.UserName;
        if (unitDirectory is not null) { _unitDirectory = unitDirectory; }
        else if (scope == NodeServiceScope.System) { _unitDirectory = "/etc/systemd/system"; }
        else
        {
            string? config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(config)) { config = Path.Combine(HostPlatform.HomeDirectory, ".config"); }
            _unitDirectory = Path.Combine(config!, "systemd", "user");
        }
    }

    /// <inheritdoc/>
    public override NodeServiceManager Manager => NodeServiceManager.Systemd;

    /// <inheritdoc/>
    public override string ServiceName => SystemdUnit.UnitName;

    /// <summary>Full path of the unit file.</summary>
    public string UnitPath => Path.Combine(_unitDirectory, SystemdUnit.UnitName);

    private string[] Ctl(params string[] args)
    {
        var a = new List<string>();
        if (Scope == NodeServiceScope.User) { a.Add("--user"); }
        a.AddRange(args);
        return a.ToArray();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<NodeServiceFile> RenderFiles(NodeServiceOptions options, string? token)
    {
        string env = Path.Combine(options.StateDirectory, SystemdUnit.EnvironmentFileName);
        var files = new List<NodeServiceFile> { Definition(UnitPath, SystemdUnit.Render(options, env)) };
        if (token is not null) { files.Add(SecretFile(env, SystemdUnit.RenderEnvironmentFile(token))); }
        return files;
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> Preflight(NodeServiceOptions options)
    {
        ManagerCommandResult probe = Run("systemctl", Ctl("show", "-p", "Version"));
        if (!probe.Succeeded)
        {
            string fix = Scope == NodeServiceScope.User
                ? "Log in through a session that starts a systemd user manager (ssh or the console, not su/sudo), or install for the machine with -Scope System (--scope system) as root."
                : "Run as root on a machine booted with systemd.";
            throw new NodeServiceException($"No systemd {(Scope == NodeServiceScope.User ? "user " : string.Empty)}manager is reachable ({probe.Text}). {fix}", "ServiceManagerUnavailable");
        }
        var warnings = new List<string>();
        if (Scope == NodeServiceScope.User)
        {
            ManagerCommandResult linger = Run("loginctl", "show-user", _userName, "-p", "Linger");
            bool? on = linger.Succeeded ? ManagerOutput.ParseLinger(linger.Output) : null;
            if (on == false)
            {
                warnings.Add($"Lingering is off for {_userName}: the node service stops when {_userName} logs out and does not start at boot. Fix: sudo loginctl enable-linger {_userName}");
            }
            else if (on is null)
            {
                warnings.Add($"Could not read the lingering setting of {_userName} ({linger.Text}). Without lingering the node service stops at logout and does not start at boot; to enable it: sudo loginctl enable-linger {_userName}");
            }
        }
        return warnings;
    }

    /// <inheritdoc/>
    protected override NodeServiceOptions Complete(NodeServiceOptions options)
    {
        if (options.SystemdVersion is not null) { return options; }
        ManagerCommandResult v = Run("systemctl", "--version");
        return options with { SystemdVersion = v.Succeeded ? ManagerOutput.ParseSystemdVersion(v.Output) : null };
    }

    /// <inheritdoc/>
    protected override (NodeServiceState State, string? StateDirectory) Find()
    {
        if (!File.Exists(UnitPath)) { return (NodeServiceState.NotInstalled, null); }
        string? exec = SystemdUnit.ReadSetting(File.ReadAllText(UnitPath), "ExecStart");
        string? dir = exec is null ? null : StateDirOf(SystemdUnit.SplitCommandLine(exec));
        ManagerCommandResult show = Run("systemctl", Ctl("show", SystemdUnit.UnitName, "-p", "LoadState,ActiveState,SubState,MainPID,FragmentPath,UnitFileState,ExecMainStatus,Result,NRestarts"));
        IReadOnlyDictionary<string, string> p = show.Succeeded ? ManagerOutput.ParseSystemctlShow(show.Output) : new Dictionary<string, string>();
        bool running = p.TryGetValue("ActiveState", out string? active) && active == "active";
        int? pid = p.TryGetValue("MainPID", out string? m) && int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null;
        int? exit = !running && p.TryGetValue("Result", out string? res) && res == "exit-code"
            && p.TryGetValue("ExecMainStatus", out string? st) && int.TryParse(st, NumberStyles.None, CultureInfo.InvariantCulture, out int code) ? code : null;
        return (InstalledState(running, pid, UnitPath, exit), dir);
    }

    /// <inheritdoc/>
    protected override void Register(NodeServiceOptions options, string? tokenFile)
    {
        RunChecked("systemctl", Ctl("daemon-reload"));
        RunChecked("systemctl", Ctl("enable", SystemdUnit.UnitName));
        Run("systemctl", Ctl("reset-failed", SystemdUnit.UnitName));
        RunChecked("systemctl", Ctl("restart", SystemdUnit.UnitName));
    }

    /// <inheritdoc/>
    protected override void Unregister(NodeServiceState state)
    {
        Run("systemctl", Ctl("disable", "--now", SystemdUnit.UnitName));
    }

    /// <inheritdoc/>
    protected override void AfterUninstall()
    {
        Run("systemctl", Ctl("daemon-reload"));
        Run("systemctl", Ctl("reset-failed", SystemdUnit.UnitName));
    }

    /// <inheritdoc/>
    protected override void StartCore(NodeServiceState state)
    {
        Run("systemctl", Ctl("reset-failed", SystemdUnit.UnitName));
        RunChecked("systemctl", Ctl("start", SystemdUnit.UnitName));
    }

    /// <inheritdoc/>
    protected override void StopCore(NodeServiceState state) => RunChecked("systemctl", Ctl("stop", SystemdUnit.UnitName));

    /// <inheritdoc/>
    protected override void RestartCore(NodeServiceState state)
    {
        Run("systemctl", Ctl("reset-failed", SystemdUnit.UnitName));
        RunChecked("systemctl", Ctl("restart", SystemdUnit.UnitName));
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> OwnedFiles(string? stateDirectory)
    {
        yield return UnitPath;
        if (stateDirectory is not null) { yield return Path.Combine(stateDirectory, SystemdUnit.EnvironmentFileName); }
    }

    /// <inheritdoc/>
    /// <inheritdoc/>
    protected override string LogHint => "journalctl " + (Scope == NodeServiceScope.User ? "--user " : string.Empty) + "-u " + SystemdUnit.UnitName;

    /// <inheritdoc/>
    public override string InstallHint => "Install-OpenClawNode -HostName <gateway> (or: openclaw-node install --host <gateway>); then check: systemctl " + (Scope == NodeServiceScope.User ? "--user " : string.Empty) + "status " + SystemdUnit.UnitName;
}
