using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Service;

/// <summary>
/// The per-user Scheduled Task <c>\OpenClaw Node</c> (<c>schtasks.exe</c>). A copy of the registered XML stays at
/// <c>&lt;stateDir&gt;\service\openclaw-node.task.xml</c>; the token is in <c>&lt;stateDir&gt;\gateway.token</c> (user-only ACL).
/// </summary>
public sealed class ScheduledTaskController : NodeServiceController
{
    private readonly string _user;

    /// <summary>Creates the controller.</summary>
    /// <param name="shell">The manager seam.</param>
    /// <param name="user">The task's user (<c>DOMAIN\user</c>); default the current user.</param>
    public ScheduledTaskController(IServiceManagerShell shell, string? user = null) : base(shell, NodeServiceScope.User) =>
        _user = user ?? Environment.UserDomainName + "\\" + Environment.UserName;

    /// <inheritdoc/>
    public override NodeServiceManager Manager => NodeServiceManager.ScheduledTask;

    /// <inheritdoc/>
    public override string ServiceName => ScheduledTaskDefinition.TaskName;

    private static string XmlPath(string stateDir) => Path.Combine(stateDir, "service", "openclaw-node.task.xml");

    /// <inheritdoc/>
    public override IReadOnlyList<NodeServiceFile> RenderFiles(NodeServiceOptions options, string? token)
    {
        string? tokenFile = token is null ? null : Path.Combine(options.StateDirectory, TokenFileName);
        string xml = ScheduledTaskDefinition.Render(options with { ServiceAccount = options.ServiceAccount ?? _user }, tokenFile);
        var files = new List<NodeServiceFile> { Definition(XmlPath(options.StateDirectory), xml, ScheduledTaskDefinition.Encode(xml)) };
        if (token is not null) { files.Add(SecretFile(tokenFile!, token)); }
        return files;
    }

    /// <inheritdoc/>
    protected override (NodeServiceState State, string? StateDirectory) Find()
    {
        ManagerCommandResult q = Run("schtasks.exe", "/Query", "/TN", ServiceName, "/FO", "CSV", "/NH");
        if (!q.Succeeded) { return (NodeServiceState.NotInstalled, null); }
        string? status = ManagerOutput.ParseSchtasksCsvStatus(q.Output);
        string? dir = null;
        ManagerCommandResult x = Run("schtasks.exe", "/Query", "/TN", ServiceName, "/XML", "ONE");
        if (x.Succeeded)
        {
            try
            {
                var doc = System.Xml.Linq.XDocument.Parse(x.Output.Trim());
                System.Xml.Linq.XNamespace ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";
                string? args = doc.Root?.Element(ns + "Actions")?.Element(ns + "Exec")?.Element(ns + "Arguments")?.Value;
                if (args is not null) { dir = StateDirOf(WindowsCommandLine.Split(args)); }
            }
            catch (System.Xml.XmlException) { }
        }
        return (InstalledState(string.Equals(status, "Running", StringComparison.OrdinalIgnoreCase), null, dir is null ? null : XmlPath(dir)), dir);
    }

    /// <inheritdoc/>
    protected override void Register(NodeServiceOptions options, string? tokenFile)
    {
        RunChecked("schtasks.exe", "/Create", "/F", "/TN", ServiceName, "/XML", XmlPath(options.StateDirectory));
        RunChecked("schtasks.exe", "/Run", "/TN", ServiceName);
    }

    /// <inheritdoc/>
    protected override void Unregister(NodeServiceState state)
    {
        StopCore(state);
        RunChecked("schtasks.exe", "/Delete", "/TN", ServiceName, "/F");
    }

    /// <inheritdoc/>
    protected override void StartCore(NodeServiceState state)
    {
        if (!state.Running) { RunChecked("schtasks.exe", "/Run", "/TN", ServiceName); }
    }

    /// <inheritdoc/>
    protected override void StopCore(NodeServiceState state)
    {
        if (state.Running) { RunChecked("schtasks.exe", "/End", "/TN", ServiceName); }
    }

    /// <inheritdoc/>
    protected override void RestartCore(NodeServiceState state)
    {
        StopCore(state);
        RunChecked("schtasks.exe", "/Run", "/TN", ServiceName);
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> OwnedFiles(string? stateDirectory)
    {
        if (stateDirectory is null) { yield break; }
        yield return XmlPath(stateDirectory);
        yield return Path.Combine(stateDirectory, TokenFileName);
    }
}

/// <summary>
/// The boot-start Windows service <c>openclaw-node</c> (<c>sc.exe</c>), commands from <see cref="WindowsServiceDefinition"/>.
/// The token is in <c>&lt;stateDir&gt;\gateway.token</c>, readable by the service account, SYSTEM and Administrators only.
/// </summary>
public sealed class WindowsServiceController : NodeServiceController
{
    /// <summary>Creates the controller.</summary>
    public WindowsServiceController(IServiceManagerShell shell) : base(shell, NodeServiceScope.System) { }

    /// <inheritdoc/>
    public override NodeServiceManager Manager => NodeServiceManager.WindowsService;

    /// <inheritdoc/>
    public override string ServiceName => WindowsServiceDefinition.ServiceName;

    private const string RegistryKey = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\" + WindowsServiceDefinition.ServiceName;

    private static string ScriptPath(string stateDir) => Path.Combine(stateDir, "service", "openclaw-node.service.txt");

    /// <inheritdoc/>
    public override IReadOnlyList<NodeServiceFile> RenderFiles(NodeServiceOptions options, string? token)
    {
        string? tokenFile = token is null ? null : Path.Combine(options.StateDirectory, TokenFileName);
        var files = new List<NodeServiceFile> { Definition(ScriptPath(options.StateDirectory), WindowsServiceDefinition.Render(options, tokenFile)) };
        if (token is not null) { files.Add(SecretFile(tokenFile!, token)); }
        return files;
    }

    /// <inheritdoc/>
    protected override (NodeServiceState State, string? StateDirectory) Find()
    {
        ManagerCommandResult q = Run("sc.exe", "queryex", ServiceName);
        (string? state, int? pid) = q.Succeeded ? ManagerOutput.ParseScQueryEx(q.Output) : (null, null);
        if (state is null) { return (NodeServiceState.NotInstalled, null); }
        string? dir = null;
        ManagerCommandResult qc = Run("sc.exe", "qc", ServiceName, "8192");
        if (qc.Succeeded)
        {
            foreach (string line in qc.Output.Split('\n'))
            {
                int colon = line.IndexOf(':');
                if (colon > 0 && line.Substring(0, colon).Trim() == "BINARY_PATH_NAME")
                {
                    dir = StateDirOf(WindowsCommandLine.Split(line.Substring(colon + 1).Trim()));
                }
            }
        }
        return (InstalledState(state == "RUNNING", pid, RegistryKey), dir);
    }

    /// <inheritdoc/>
    protected override void Register(NodeServiceOptions options, string? tokenFile)
    {
        var exists = Run("sc.exe", "queryex", ServiceName);
        if (exists.Succeeded) { RunChecked("sc.exe", "delete", ServiceName); }
        foreach (IReadOnlyList<string> c in WindowsServiceDefinition.Commands(options, tokenFile))
        {
            var rest = new string[c.Count - 1];
            for (int i = 1; i < c.Count; i++) { rest[i - 1] = c[i]; }
            RunChecked(c[0], rest);
        }
        if (tokenFile is not null)
        {
            RunChecked("icacls.exe", tokenFile, "/inheritance:r", "/grant:r", WindowsServiceDefinition.AccountName(options) + ":(R)", "/grant:r", "*S-1-5-18:(F)", "/grant:r", "*S-1-5-32-544:(F)");
        }
        RunChecked("sc.exe", "start", ServiceName);
    }

    /// <inheritdoc/>
    protected override void Unregister(NodeServiceState state)
    {
        StopCore(state);
        RunChecked("sc.exe", "delete", ServiceName);
        Run("reg.exe", "delete", WindowsServiceDefinition.EventSourceKey, "/f");   // best effort: the source may never have been registered
    }

    /// <inheritdoc/>
    protected override void StartCore(NodeServiceState state)
    {
        ManagerCommandResult r = Run("sc.exe", "start", ServiceName);
        if (!r.Succeeded && r.ExitCode != 1056) { throw Failed("start", r); }   // 1056: already running
    }

    /// <inheritdoc/>
    protected override void StopCore(NodeServiceState state)
    {
        ManagerCommandResult r = Run("sc.exe", "stop", ServiceName);
        if (!r.Succeeded && r.ExitCode != 1062) { throw Failed("stop", r); }    // 1062: not started
    }

    /// <inheritdoc/>
    protected override void RestartCore(NodeServiceState state)
    {
        StopCore(state);
        StartCore(state);
    }

    private static NodeServiceException Failed(string verb, ManagerCommandResult r) =>
        new($"'sc.exe {verb} {WindowsServiceDefinition.ServiceName}' failed with exit code {r.ExitCode}: {r.Text}", "ServiceCommandFailed");

    /// <inheritdoc/>
    protected override IEnumerable<string> OwnedFiles(string? stateDirectory)
    {
        if (stateDirectory is null) { yield break; }
        yield return ScriptPath(stateDirectory);
        yield return Path.Combine(stateDirectory, TokenFileName);
    }
}

/// <summary>
/// The macOS LaunchAgent <c>ai.openclaw.node</c> in the user's GUI domain (<c>launchctl bootstrap gui/UID</c>); plist in
/// <c>~/Library/LaunchAgents</c>, log <c>~/Library/Logs/openclaw/node.log</c>, token in <c>&lt;stateDir&gt;/gateway.token</c> (0600).
/// </summary>
public sealed class LaunchAgentController : NodeServiceController
{
    private readonly string _home;
    private readonly string _uid;

    /// <summary>Creates the controller.</summary>
    /// <param name="shell">The manager seam.</param>
    /// <param name="home">Home folder; default the current user's.</param>
    /// <param name="uid">Numeric user id for the <c>gui/UID</c> domain; default from <c>id -u</c>.</param>
    public LaunchAgentController(IServiceManagerShell shell, string? home = null, string? uid = null) : base(shell, NodeServiceScope.User)
    {
        _home = home ?? HostPlatform.HomeDirectory;
        _uid = uid ?? shell.Run("id", new[] { "-u" }).Output.Trim();
    }

    /// <inheritdoc/>
    public override NodeServiceManager Manager => NodeServiceManager.Launchd;

    /// <inheritdoc/>
    public override string ServiceName => LaunchAgentDefinition.Label;

    /// <summary>The plist path.</summary>
    public string PlistPath => Path.Combine(_home, "Library", "LaunchAgents", LaunchAgentDefinition.Label + ".plist");

    /// <summary>The log file.</summary>
    public string LogPath => Path.Combine(_home, "Library", "Logs", "openclaw", "node.log");

    private string Target => "gui/" + _uid + "/" + LaunchAgentDefinition.Label;

    /// <inheritdoc/>
    public override IReadOnlyList<NodeServiceFile> RenderFiles(NodeServiceOptions options, string? token)
    {
        string? tokenFile = token is null ? null : Path.Combine(options.StateDirectory, TokenFileName);
        var files = new List<NodeServiceFile> { Definition(PlistPath, LaunchAgentDefinition.Render(options, tokenFile, LogPath)) };
        if (token is not null) { files.Add(SecretFile(tokenFile!, token)); }
        return files;
    }

    /// <inheritdoc/>
    protected override (NodeServiceState State, string? StateDirectory) Find()
    {
        if (!File.Exists(PlistPath)) { return (NodeServiceState.NotInstalled, null); }
        string? dir = StateDirOf(LaunchAgentDefinition.ReadProgramArguments(File.ReadAllText(PlistPath)));
        ManagerCommandResult p = Run("launchctl", "print", Target);
        (string? state, int? pid) = p.Succeeded ? ManagerOutput.ParseLaunchctlPrint(p.Output) : (null, null);
        return (InstalledState(state == "running", pid, PlistPath), dir);
    }

    /// <inheritdoc/>
    protected override void Register(NodeServiceOptions options, string? tokenFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        Run("launchctl", "bootout", Target);
        RunChecked("launchctl", "bootstrap", "gui/" + _uid, PlistPath);
        RunChecked("launchctl", "enable", Target);
        RunChecked("launchctl", "kickstart", "-k", Target);
    }

    /// <inheritdoc/>
    protected override void Unregister(NodeServiceState state) => Run("launchctl", "bootout", Target);

    /// <inheritdoc/>
    protected override void StartCore(NodeServiceState state)
    {
        if (!Run("launchctl", "print", Target).Succeeded) { RunChecked("launchctl", "bootstrap", "gui/" + _uid, PlistPath); }
        RunChecked("launchctl", "kickstart", Target);
    }

    /// <inheritdoc/>
    protected override void StopCore(NodeServiceState state)
    {
        // KeepAlive restarts a killed agent, so stopping means unloading it (the plist stays; it loads again at login).
        if (Run("launchctl", "print", Target).Succeeded) { RunChecked("launchctl", "bootout", Target); }
    }

    /// <inheritdoc/>
    protected override void RestartCore(NodeServiceState state)
    {
        if (!Run("launchctl", "print", Target).Succeeded) { RunChecked("launchctl", "bootstrap", "gui/" + _uid, PlistPath); }
        RunChecked("launchctl", "kickstart", "-k", Target);
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> OwnedFiles(string? stateDirectory)
    {
        yield return PlistPath;
        if (stateDirectory is not null) { yield return Path.Combine(stateDirectory, TokenFileName); }
    }
}

/// <summary>Splits a Windows command line with the CommandLineToArgvW rules (the inverse of the quoting the definitions use).</summary>
public static class WindowsCommandLine
{
    /// <summary>Splits <paramref name="commandLine"/> into argv.</summary>
    public static IReadOnlyList<string> Split(string commandLine)
    {
        var args = new List<string>();
        var cur = new StringBuilder();
        bool inQuotes = false, any = false;
        int i = 0;
        while (i < commandLine.Length)
        {
            char c = commandLine[i];
            if (!inQuotes && (c == ' ' || c == '\t'))
            {
                if (any) { args.Add(cur.ToString()); cur.Clear(); any = false; }
                i++;
                continue;
            }
            any = true;
            if (c == '\\')
            {
                int n = 0;
                while (i < commandLine.Length && commandLine[i] == '\\') { n++; i++; }
                if (i < commandLine.Length && commandLine[i] == '"')
                {
                    cur.Append('\\', n / 2);
                    if (n % 2 == 1) { cur.Append('"'); i++; }
                }
                else { cur.Append('\\', n); }
                continue;
            }
            if (c == '"')
            {
                if (inQuotes && i + 1 < commandLine.Length && commandLine[i + 1] == '"') { cur.Append('"'); i += 2; continue; }
                inQuotes = !inQuotes;
                i++;
                continue;
            }
            cur.Append(c);
            i++;
        }
        if (any) { args.Add(cur.ToString()); }
        return args;
    }
}

/// <summary>
/// The <see cref="INodeServiceProbe"/> for this machine: asks the user-scope manager first, then the system-scope one
/// (systemd user unit, then system unit; Scheduled Task, then Windows service; LaunchAgent on macOS).
/// </summary>
public sealed class NodeServiceProbe : INodeServiceProbe
{
    private readonly IReadOnlyList<INodeServiceProbe> _probes;

    /// <summary>Probes the given controllers in order.</summary>
    public NodeServiceProbe(params INodeServiceProbe[] probes) => _probes = probes;

    /// <summary>The probe for the current platform (real manager programs, no shell).</summary>
    public static NodeServiceProbe ForCurrentPlatform(IServiceManagerShell? shell = null)
    {
        shell ??= new ProcessServiceManagerShell(timeout: TimeSpan.FromSeconds(10));
        if (HostPlatform.IsLinux)
        {
            return new NodeServiceProbe(new SystemdServiceController(shell, NodeServiceScope.User), new SystemdServiceController(shell, NodeServiceScope.System));
        }
        if (HostPlatform.IsWindows) { return new NodeServiceProbe(new ScheduledTaskController(shell), new WindowsServiceController(shell)); }
        if (HostPlatform.IsMacOS) { return new NodeServiceProbe(new LaunchAgentController(shell)); }
        return new NodeServiceProbe();
    }

    /// <inheritdoc/>
    public NodeServiceState Query(string stateDirectory)
    {
        foreach (INodeServiceProbe p in _probes)
        {
            NodeServiceState s = p.Query(stateDirectory);
            if (s.Installed) { return s; }
        }
        return NodeServiceState.NotInstalled;
    }
}
