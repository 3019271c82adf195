using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Service;

/// <summary>The outcome of a service operation, shaped like the official CLI's <c>{action, ok, result}</c> envelope (spec §11.5). Never carries tokens.</summary>
public sealed record NodeServiceResult
{
    /// <summary><c>install</c>, <c>uninstall</c>, <c>start</c>, <c>stop</c> or <c>restart</c>.</summary>
    public string Action { get; init; } = string.Empty;

    /// <summary>False when the operation could not be done (for example start with nothing installed).</summary>
    public bool Ok { get; init; }

    /// <summary>
    /// What happened: <c>installed</c>, <c>already-installed</c>, <c>uninstalled</c>, <c>not-installed</c>,
    /// <c>started</c>, <c>stopped</c>, <c>not-loaded</c> (stop with nothing installed), <c>restarted</c>, or
    /// <c>would-install</c>/<c>would-uninstall</c>/<c>would-start</c>/<c>would-stop</c>/<c>would-restart</c> for -WhatIf.
    /// </summary>
    public string Result { get; init; } = string.Empty;

    /// <summary>One sentence for people.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>The service as the manager reports it after the operation.</summary>
    public NodeServiceState Service { get; init; } = NodeServiceState.NotInstalled;

    /// <summary>The definition file (unit, task XML copy, plist), or the service's registry key for a Windows service.</summary>
    public string? DefinitionPath { get; init; }

    /// <summary>Things the caller should know (lingering off, no token given, …), each with the fix.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();

    /// <summary>Commands that fix a failed operation (install hint when nothing is installed).</summary>
    public IReadOnlyList<string> Hints { get; init; } = Array.Empty<string>();

    /// <summary>Files written (or, with -WhatIf, that would be written). Secret files carry a placeholder, never the token.</summary>
    public IReadOnlyList<NodeServiceFile> Files { get; init; } = Array.Empty<NodeServiceFile>();

    /// <summary>Manager commands run (or that would run), argv joined; never contain the token.</summary>
    public IReadOnlyList<string> Commands { get; init; } = Array.Empty<string>();

    /// <summary>
    /// After install/start/restart: the node host's own connection state from its live status file once it settled
    /// (<c>Connected</c>, <c>PairingRequired</c>, <c>AwaitingApproval</c>, or the last state seen when
    /// <see cref="NodeServiceController.ConnectTimeout"/> passed); null for other actions or when the host published nothing.
    /// </summary>
    public string? ConnectionState { get; init; }
}

/// <summary>A service manager refused an operation or is not reachable. The message names the cause and the fix; never contains tokens.</summary>
public sealed class NodeServiceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NodeServiceException(string message, string errorId) : base(message) => ErrorId = errorId;

    /// <summary>Stable id: <c>ServiceManagerUnavailable</c>, <c>ServiceCommandFailed</c>, <c>ServiceNotSupported</c>.</summary>
    public string ErrorId { get; }
}

/// <summary>
/// Installs, starts, stops, restarts, uninstalls and queries the node service through one platform service manager,
/// driven through <see cref="IServiceManagerShell"/>. All operations are idempotent: stopping a stopped service and
/// uninstalling twice succeed; start and restart with nothing installed return <c>ok=false</c> with the install hint.
/// Use <see cref="ForCurrentPlatform"/> to get the right one.
/// </summary>
public abstract class NodeServiceController : INodeServiceProbe
{
    /// <summary>How long install/start/restart wait for the manager to report the service running.</summary>
    public static readonly TimeSpan RunningTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Name of the owner-only token file in the state directory (Windows, macOS; read with <c>--token-file</c>).</summary>
    public const string TokenFileName = "gateway.token";

    private readonly List<string> _commands = new();

    /// <summary>Creates a controller over <paramref name="shell"/>.</summary>
    protected NodeServiceController(IServiceManagerShell shell, NodeServiceScope scope)
    {
        Shell = shell;
        Scope = scope;
    }

    /// <summary>The manager seam.</summary>
    protected IServiceManagerShell Shell { get; }

    /// <summary>User or system scope.</summary>
    public NodeServiceScope Scope { get; }

    /// <summary>Which manager this is.</summary>
    public abstract NodeServiceManager Manager { get; }

    /// <summary>The service's name as the manager knows it.</summary>
    public abstract string ServiceName { get; }

    /// <summary>The command that installs the service, for hints.</summary>
    public virtual string InstallHint => "Install-OpenClawNode -HostName <gateway> (or: openclaw-node install --host <gateway>)";

    /// <summary>Returns the controller for this operating system: systemd (Linux), Scheduled Task (Windows, user) or Windows service (Windows, system), LaunchAgent (macOS, user).</summary>
    /// <exception cref="NodeServiceException">The platform/scope has no supported manager (<c>ServiceNotSupported</c>).</exception>
    public static NodeServiceController ForCurrentPlatform(NodeServiceScope scope, IServiceManagerShell? shell = null)
    {
        shell ??= new ProcessServiceManagerShell();
        if (HostPlatform.IsLinux) { return new SystemdServiceController(shell, scope); }
        if (HostPlatform.IsWindows)
        {
            return scope == NodeServiceScope.System ? new WindowsServiceController(shell) : new ScheduledTaskController(shell);
        }
        if (HostPlatform.IsMacOS && scope == NodeServiceScope.User) { return new LaunchAgentController(shell); }
        throw new NodeServiceException("A machine-wide service is not supported on macOS yet; install the LaunchAgent with -Scope User.", "ServiceNotSupported");
    }

    /// <summary>The files an install writes for these options: the definition (if the manager has one) and, when a token is given, the owner-only secret file.</summary>
    public abstract IReadOnlyList<NodeServiceFile> RenderFiles(NodeServiceOptions options, string? token);

    /// <summary>The manager's view of the installed service and the state directory its definition runs (null when unknown).</summary>
    protected abstract (NodeServiceState State, string? StateDirectory) Find();

    /// <summary>
    /// The state <see cref="Find"/> reports for an installed service of this controller: <see cref="Manager"/>,
    /// <see cref="ServiceName"/> and <see cref="Scope"/>, running or not, the process id only while it runs (null: the
    /// manager does not say), the definition file or registry key (null when unknown) and the last exit code (null when
    /// the manager does not report one or the service runs).
    /// </summary>
    protected NodeServiceState InstalledState(bool running, int? processId, string? definitionPath, int? lastExitCode = null) => new()
    {
        Installed = true,
        LastExitCode = lastExitCode,
        Manager = Manager,
        Name = ServiceName,
        Scope = Scope.ToString(),
        Running = running,
        ProcessId = running ? processId : null,
        DefinitionPath = definitionPath,
    };

    /// <summary>Registers the written definition with the manager, enables it and (re)starts it.</summary>
    protected abstract void Register(NodeServiceOptions options, string? tokenFile);

    /// <summary>Stops and unregisters the service; the base class deletes the files afterwards.</summary>
    protected abstract void Unregister(NodeServiceState state);

    /// <summary>Starts the installed service (no-op when running).</summary>
    protected abstract void StartCore(NodeServiceState state);

    /// <summary>Stops the installed service (no-op when stopped).</summary>
    protected abstract void StopCore(NodeServiceState state);

    /// <summary>Restarts (or starts) the installed service.</summary>
    protected abstract void RestartCore(NodeServiceState state);

    /// <summary>Checks the manager before an install; returns warnings; throws <see cref="NodeServiceException"/> when it cannot work.</summary>
    protected virtual IReadOnlyList<string> Preflight(NodeServiceOptions options) => Array.Empty<string>();

    /// <summary>Fills in options from the machine (for example the systemd version); default: unchanged.</summary>
    protected virtual NodeServiceOptions Complete(NodeServiceOptions options) => options;

    /// <summary>Files the uninstall removes.</summary>
    protected abstract IEnumerable<string> OwnedFiles(string? stateDirectory);

    /// <inheritdoc/>
    public NodeServiceState Query(string stateDirectory)
    {
        try
        {
            (NodeServiceState state, string? dir) = Find();
            if (!state.Installed) { return NodeServiceState.NotInstalled; }
            if (dir is not null && !SamePath(dir, stateDirectory)) { return NodeServiceState.NotInstalled; }
            return state;
        }
        catch (Exception ex) when (ex is NodeServiceException or IOException or UnauthorizedAccessException or System.Xml.XmlException)
        {
            return NodeServiceState.NotInstalled;
        }
    }

    /// <summary>
    /// Installs the service: without <paramref name="force"/> an existing install is left alone (<c>already-installed</c>);
    /// with it, the definition is rewritten and the service restarted. <paramref name="whatIf"/> returns what would be
    /// written and run without touching anything. Waits up to <see cref="RunningTimeout"/> for the manager to report it running.
    /// </summary>
    /// <param name="options">What to run; validated.</param>
    /// <param name="token">The gateway token for the owner-only secret file, or null when the node already holds a device token.</param>
    /// <param name="force">Overwrite an existing install.</param>
    /// <param name="whatIf">Only report.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="NodeServiceException">The manager is unreachable or refused a command.</exception>
    /// <exception cref="StateFileException">A file could not be written.</exception>
    public NodeServiceResult Install(NodeServiceOptions options, string? token, bool force, bool whatIf)
    {
        options.Validate();
        _commands.Clear();
        (NodeServiceState existing, string? existingDir) = Find();
        if (existing.Installed && !force)
        {
            string other = existingDir is not null && !SamePath(existingDir, options.StateDirectory) ? $" (for the state directory '{existingDir}')" : string.Empty;
            return Result("install", true, "already-installed", $"The node service is already installed{other}; nothing changed. Use -Force (--force) to overwrite it.", existing);
        }
        var warnings = new List<string>();
        if (token is null)
        {
            warnings.Add("No gateway token was given: the service relies on the device token saved in the state directory. If the node has never connected, give -Token or set OPENCLAW_GATEWAY_TOKEN and install again with -Force.");
        }
        if (whatIf)
        {
            IReadOnlyList<NodeServiceFile> would = RenderFiles(Complete(options), token);
            return Result("install", true, "would-install", $"Would write {would.Count} file(s) and register {ServiceName} with {Manager}.", existing, warnings, files: would);
        }
        warnings.AddRange(Preflight(options));
        options = Complete(options);
        IReadOnlyList<NodeServiceFile> files = RenderFiles(options, token);
        if (existing.Installed) { TryRun(() => StopCore(existing)); }
        foreach (NodeServiceFile f in files) { Write(f); }
        string? tokenFile = files.FirstOrDefault(f => f.Secret)?.Path;
        Register(options, tokenFile);
        NodeServiceState now = WaitRunning();
        if (!now.Running)
        {
            return Result("install", false, "not-running", $"Installed {ServiceName} ({Manager}), but it is not running{ExitText(now)}. Check its log: {LogHint}", now, warnings, new[] { LogHint }, files);
        }
        (string? connection, string connText) = WaitConnected(options.StateDirectory, warnings);
        return Result("install", true, "installed", $"Installed and started {ServiceName} ({Manager}); {connText}", now, warnings, files: files) with { ConnectionState = connection };
    }

    /// <summary>Stops and removes the service and its files (definition and secret file). Succeeds when nothing is installed (<c>not-installed</c>).</summary>
    public NodeServiceResult Uninstall(bool whatIf)
    {
        _commands.Clear();
        (NodeServiceState existing, string? dir) = Find();
        var files = OwnedFiles(dir).Where(p => File.Exists(p)).Select(p => new NodeServiceFile { Path = p, Text = "(removed)" }).ToList();
        if (!existing.Installed && files.Count == 0)
        {
            return Result("uninstall", true, "not-installed", "The node service is not installed; nothing to remove.", existing);
        }
        if (whatIf) { return Result("uninstall", true, "would-uninstall", $"Would stop and remove {ServiceName} and {files.Count} file(s).", existing, files: files); }
        if (existing.Installed) { Unregister(existing); }
        foreach (NodeServiceFile f in files) { File.Delete(f.Path); }
        AfterUninstall();
        return Result("uninstall", true, "uninstalled", $"Removed {ServiceName}.", NodeServiceState.NotInstalled, files: files);
    }

    /// <summary>Hook after the files are deleted (systemd: daemon-reload).</summary>
    protected virtual void AfterUninstall() { }

    /// <summary>Starts the installed service and waits for it to run; <c>ok=false</c> with the install hint when nothing is installed.</summary>
    public NodeServiceResult Start(bool whatIf) => Lifecycle("start", whatIf, s => StartCore(s), "started", "Started");

    /// <summary>Restarts the installed service; <c>ok=false</c> with the install hint when nothing is installed.</summary>
    public NodeServiceResult Restart(bool whatIf) => Lifecycle("restart", whatIf, s => RestartCore(s), "restarted", "Restarted");

    /// <summary>Stops the service; succeeds when it is stopped already or not installed (<c>not-loaded</c>).</summary>
    public NodeServiceResult Stop(bool whatIf)
    {
        _commands.Clear();
        (NodeServiceState existing, _) = Find();
        if (!existing.Installed) { return Result("stop", true, "not-loaded", "The node service is not installed; nothing to stop.", existing); }
        if (whatIf) { return Result("stop", true, "would-stop", $"Would stop {ServiceName}.", existing); }
        StopCore(existing);
        (NodeServiceState now, _) = Find();
        return Result("stop", true, "stopped", $"Stopped {ServiceName}.", now);
    }

    private NodeServiceResult Lifecycle(string action, bool whatIf, Action<NodeServiceState> op, string done, string verb)
    {
        _commands.Clear();
        (NodeServiceState existing, string? dir) = Find();
        if (!existing.Installed)
        {
            return Result(action, false, "not-installed", "The node service is not installed. Install it first.", existing, hints: new[] { InstallHint });
        }
        if (whatIf) { return Result(action, true, "would-" + action, $"Would {action} {ServiceName}.", existing); }
        op(existing);
        NodeServiceState now = WaitRunning();
        if (!now.Running)
        {
            return Result(action, false, "not-running", $"{ServiceName} did not keep running after the {action}{ExitText(now)}. Check its log: {LogHint}", now, hints: new[] { LogHint });
        }
        var lcWarnings = new List<string>();
        (string? connection, string connText) = dir is null ? (null, "the node host's state directory is unknown.") : WaitConnected(dir, lcWarnings);
        return Result(action, true, done, $"{verb} {ServiceName}; {connText}", now, lcWarnings) with { ConnectionState = connection };
    }

    /// <summary>
    /// How long install/start/restart wait, after the service runs, for the node host to report that it connected (or
    /// that it waits for pairing approval) in its live status file. Default 30 s; zero skips the wait.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Waits for the host's status file to settle; returns the state and a sentence; adds a warning when it did not connect.</summary>
    private (string? State, string Text) WaitConnected(string stateDirectory, List<string> warnings)
    {
        if (ConnectTimeout <= TimeSpan.Zero) { return (null, "not waiting for the gateway connection."); }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Status.NodeStatus status;
        while (true)
        {
            status = Status.NodeStatusReader.Read(stateDirectory);
            Hosting.NodeConnectionState? state = status.Connection.State;
            if (status.Host.Running && state == Hosting.NodeConnectionState.Connected)
            {
                return ("Connected", $"the node is connected to {status.Gateway.Url}.");
            }
            if (status.Host.Running && state == Hosting.NodeConnectionState.PairingRequired)
            {
                warnings.Add($"The node waits for its device to be approved on the gateway: pairing request {status.Pairing.PendingRequestId}. Approve it with Approve-OpenClawNodeRequest or 'openclaw devices approve'; the node connects by itself.");
                return ("PairingRequired", $"the node waits for pairing approval (request {status.Pairing.PendingRequestId}).");
            }
            if (status.Host.Running && state == Hosting.NodeConnectionState.AwaitingApproval)
            {
                warnings.Add("The node is connected but its commands wait for approval on the gateway ('openclaw nodes approve' or Approve-OpenClawNodeRequest).");
                return ("AwaitingApproval", "the node's commands wait for approval on the gateway.");
            }
            if (watch.Elapsed >= ConnectTimeout) { break; }
            Thread.Sleep(250);
        }
        string seen = status.Connection.State?.ToString() ?? status.Host.State.ToString();
        warnings.Add($"The node host did not report a gateway connection within {ConnectTimeout.TotalSeconds:0} s (state {seen}{(status.Connection.LastError is string e ? $", last error: {e}" : string.Empty)}). Check Get-OpenClawNodeStatus or 'openclaw-node status'.");
        return (seen, $"the node has not connected yet (state {seen}).");
    }

    /// <summary>How long the service must stay running after a start before install/start/restart report success. Default 3 s.</summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Where to look when the service does not run (a command).</summary>
    protected virtual string LogHint => "the service manager's log";

    private static string ExitText(NodeServiceState s) => s.LastExitCode switch
    {
        null => string.Empty,
        2 => " (exit code 2: the service's command line is invalid, e.g. a malformed host, port or fingerprint; reinstall with -Force and correct values)",
        77 => " (exit code 77: the gateway rejected the credentials; give the right token and reinstall with -Force)",
        78 => " (exit code 78: the configuration or state is unusable; the log says which)",
        74 => " (exit code 74: the state directory's file system is full or read-only; free space or remount it read-write, the service restarts the node by itself)",
        int c => $" (exit code {c})",
    };

    /// <summary>Polls the manager until the service has been running for <see cref="SettleTime"/>, or it stops, or <see cref="RunningTimeout"/> passes.</summary>
    private NodeServiceState WaitRunning()
    {
        var sw = Stopwatch.StartNew();
        TimeSpan? runningSince = null;
        while (true)
        {
            (NodeServiceState s, _) = Find();
            if (s.Running) { runningSince ??= sw.Elapsed; }
            else if (runningSince is not null || s.LastExitCode is not null) { return s; }   // started, then stopped: a failure
            if (s.Running && sw.Elapsed - runningSince >= SettleTime) { return s; }
            if (sw.Elapsed > RunningTimeout) { return s; }
            Thread.Sleep(200);
        }
    }

    private NodeServiceResult Result(string action, bool ok, string result, string message, NodeServiceState state,
        IReadOnlyList<string>? warnings = null, IReadOnlyList<string>? hints = null, IReadOnlyList<NodeServiceFile>? files = null) => new()
    {
        Action = action,
        Ok = ok,
        Result = result,
        Message = message,
        Service = state,
        DefinitionPath = state.DefinitionPath,
        Warnings = warnings ?? Array.Empty<string>(),
        Hints = hints ?? Array.Empty<string>(),
        Files = files ?? Array.Empty<NodeServiceFile>(),
        Commands = _commands.ToList(),
    };

    /// <summary>Runs a manager command and records it.</summary>
    protected ManagerCommandResult Run(string program, params string[] args)
    {
        _commands.Add(ProcessArgs.Quote(new[] { program }.Concat(args)));
        return Shell.Run(program, args);
    }

    /// <summary>Runs a manager command that must succeed.</summary>
    /// <exception cref="NodeServiceException">Non-zero exit (<c>ServiceCommandFailed</c>), with the manager's output.</exception>
    protected ManagerCommandResult RunChecked(string program, params string[] args)
    {
        ManagerCommandResult r = Run(program, args);
        if (!r.Succeeded)
        {
            throw new NodeServiceException($"'{program} {string.Join(" ", args)}' failed with exit code {r.ExitCode}: {r.Text}", "ServiceCommandFailed");
        }
        return r;
    }

    private static void TryRun(Action a)
    {
        try { a(); } catch (NodeServiceException) { }
    }

    /// <summary>Writes one file: secrets owner-only (0600 / user-only ACL) through the atomic state writer; definitions atomically, readable (0644).</summary>
    protected static void Write(NodeServiceFile f)
    {
        if (f.Secret)
        {
            SecureFile.WriteAllText(f.Path, Encoding.UTF8.GetString(f.Bytes));
            return;
        }
        string dir = Path.GetDirectoryName(Path.GetFullPath(f.Path))!;
        try
        {
            Directory.CreateDirectory(dir);
            if (SecureFile.IsLink(f.Path)) { throw new StateFileException(f.Path, $"Refusing to overwrite '{f.Path}': it is a symbolic link."); }
            string temp = Path.Combine(dir, "." + Path.GetFileName(f.Path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    fs.Write(f.Bytes, 0, f.Bytes.Length);
                    fs.Flush(flushToDisk: true);
                }
#if NET
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                }
                File.Move(temp, f.Path, overwrite: true);
#else
                if (File.Exists(f.Path)) { File.Replace(temp, f.Path, null); } else { File.Move(temp, f.Path); }
#endif
            }
            finally
            {
                if (File.Exists(temp)) { File.Delete(temp); }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(f.Path, $"Could not write '{f.Path}': {ex.Message} Run as the user (or administrator/root for -Scope System) that owns it.", ex);
        }
    }

    /// <summary>A definition file for display and writing.</summary>
    protected static NodeServiceFile Definition(string path, string text, byte[]? bytes = null) =>
        new() { Path = path, Text = text, Bytes = bytes ?? new UTF8Encoding(false).GetBytes(text) };

    /// <summary>A secret file: the bytes hold the secret, the display text never does.</summary>
    protected static NodeServiceFile SecretFile(string path, string content) =>
        new() { Path = path, Secret = true, Text = "(secret, not shown)", Bytes = new UTF8Encoding(false).GetBytes(content) };

    /// <summary>Path equality with the platform's case rules, ignoring a trailing separator.</summary>
    protected static bool SamePath(string a, string b) =>
        string.Equals(a.TrimEnd('/', '\\'), b.TrimEnd('/', '\\'), HostPlatform.PathComparison);

    /// <summary>The value after <c>--state-dir</c> in an argv list, or null.</summary>
    protected static string? StateDirOf(IReadOnlyList<string> args)
    {
        for (int i = 0; i + 1 < args.Count; i++) { if (args[i] == "--state-dir") { return args[i + 1]; } }
        return null;
    }
}
