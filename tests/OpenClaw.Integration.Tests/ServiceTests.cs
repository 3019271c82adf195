using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Service;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// The node service for real: a real systemd user manager runs our unit against the real gateway, and the command
/// line of every other definition (Scheduled Task, Windows service, LaunchAgent) is parsed back out of the generated
/// file and executed, with its token file, until the gateway reports the node connected.
/// </summary>
[Collection("gateway")]
public sealed class ServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly RealGateway _gateway;

    public ServiceTests(GatewayFixture fixture) => _gateway = fixture.Gateway;

    /// <summary>The executable and leading arguments that start our host (apphost, else dotnet + dll).</summary>
    private static (string Exe, string[] Prefix) Host =>
        NodeProcess.HostPath.EndsWith(".dll", StringComparison.Ordinal) ? ("/usr/bin/dotnet", new[] { NodeProcess.HostPath }) : (NodeProcess.HostPath, Array.Empty<string>());

    private NodeServiceOptions Options(string stateDir, string displayName) => new()
    {
        ExecutablePath = Host.Exe,
        ExecutablePrefixArguments = Host.Prefix,
        Host = "127.0.0.1",
        Port = _gateway.Port,
        DisplayName = displayName,
        StateDirectory = stateDir,
    };

    private static string Unique(string prefix) => prefix + " \"q\" 100% $HOME's " + Guid.NewGuid().ToString("N").Substring(0, 6);

    /// <summary>Polls node.list (the gateway's own view; no event exists for it) until a node with this display name is connected, or not.</summary>
    private async Task<NodeInfo> WaitForNodeAsync(string displayName, bool connected)
    {
        await using OperatorClient op = await _gateway.OperatorAsync();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            NodeInfo? n = (await op.GetNodesAsync(default)).FirstOrDefault(x => x.DisplayName == displayName);
            if (n is not null && n.Connected == connected) { return n; }
            if (n is null && !connected) { return null!; }
            if (watch.Elapsed > Wait) { throw new TimeoutException($"Node '{displayName}' not {(connected ? "connected" : "disconnected")} within {Wait}: {(await op.ListNodesAsync(default)).ToJsonString()}"); }
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Systemd_user_service_installs_connects_stops_starts_restarts_recovers_and_uninstalls()
    {
        await using SystemdUserManager manager = await SystemdUserManager.StartAsync();
        using var state = new StateDir();
        string stateDir = state.Path + " with space";
        try
        {
            var c = new SystemdServiceController(manager.Shell, NodeServiceScope.User, manager.UnitDirectory, "root");
            string name = Unique("svc-systemd");
            NodeServiceOptions o = Options(stateDir, name);

            NodeServiceResult notYet = c.Start(false);
            Assert.Equal(("not-installed", false), (notYet.Result, notYet.Ok));

            NodeServiceResult installed = c.Install(o, _gateway.Token, force: false, whatIf: false);
            Assert.True(installed.Ok, installed.Message);
            Assert.Equal("installed", installed.Result);
            // Install reports what the node host itself says, not only that the manager started it.
            Assert.Contains(installed.ConnectionState, new[] { "Connected", "AwaitingApproval" });
            int pid = installed.Service.ProcessId!.Value;
            Assert.True(Proc.Alive(pid));
            await WaitForNodeAsync(name, connected: true);

            // The token reached the host through the 0600 environment file only: not in the unit, not in argv.
            string unit = File.ReadAllText(c.UnitPath);
            Assert.DoesNotContain(_gateway.Token, unit);
            Assert.DoesNotContain(_gateway.Token, File.ReadAllText($"/proc/{pid}/cmdline"));
            Assert.Contains("OPENCLAW_GATEWAY_TOKEN=" + _gateway.Token, File.ReadAllText($"/proc/{pid}/environ").Split('\0'));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(stateDir, SystemdUnit.EnvironmentFileName)));
            string[] cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            Assert.Equal(o.DisplayName, cmdline[Array.IndexOf(cmdline, "--display-name") + 1]);   // quotes, %, $ survived systemd's parsing

            Assert.Equal("already-installed", c.Install(o, _gateway.Token, false, false).Result);
            Assert.Equal(pid, c.Query(stateDir).ProcessId);

            NodeServiceResult stopped = c.Stop(false);
            Assert.Equal(("stopped", true, false), (stopped.Result, stopped.Ok, stopped.Service.Running));
            await Proc.WaitUntilDead(pid, Wait);
            await WaitForNodeAsync(name, connected: false);
            Assert.True(c.Stop(false).Ok);   // stopping a stopped service succeeds

            NodeServiceResult started = c.Start(false);
            Assert.True(started.Ok, started.Message);
            await WaitForNodeAsync(name, connected: true);
            int pid2 = started.Service.ProcessId!.Value;

            NodeServiceResult restarted = c.Restart(false);
            Assert.True(restarted.Ok, restarted.Message);
            Assert.NotEqual(pid2, restarted.Service.ProcessId);
            await WaitForNodeAsync(name, connected: true);

            // A crash (SIGKILL) is restarted by systemd (Restart=always, RestartSec=5).
            int pid3 = restarted.Service.ProcessId!.Value;
            Process.GetProcessById(pid3).Kill();
            var watch = Stopwatch.StartNew();
            NodeServiceState s;
            while (!((s = c.Query(stateDir)).Running && s.ProcessId != pid3))
            {
                Assert.True(watch.Elapsed < Wait, "systemd did not restart the killed host");
                await Task.Delay(200);
            }
            await WaitForNodeAsync(name, connected: true);

            NodeServiceResult removed = c.Uninstall(false);
            Assert.Equal(("uninstalled", true), (removed.Result, removed.Ok));
            Assert.False(File.Exists(c.UnitPath));
            Assert.False(File.Exists(Path.Combine(stateDir, SystemdUnit.EnvironmentFileName)));
            await Proc.WaitUntilDead(s.ProcessId!.Value, Wait);
            Assert.Equal(("not-installed", true), (c.Uninstall(false).Result, c.Uninstall(false).Ok));
            Assert.False(c.Query(stateDir).Installed);
        }
        finally
        {
            try { Directory.Delete(stateDir, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task Systemd_does_not_restart_a_configuration_error_and_install_says_so()
    {
        await using SystemdUserManager manager = await SystemdUserManager.StartAsync();
        using var state = new StateDir();
        var c = new SystemdServiceController(manager.Shell, NodeServiceScope.User, manager.UnitDirectory, "root");
        // A corrupt state file is a configuration error the host reports with exit 78 (a malformed command line exits 2).
        state.WriteOwnerOnly("node.json", "{\"version\":1, this is not json");
        NodeServiceOptions o = Options(state.Path, "svc-bad");
        NodeServiceResult r = c.Install(o, _gateway.Token, false, false);
        Assert.False(r.Ok);
        Assert.Equal("not-running", r.Result);
        Assert.Equal(78, r.Service.LastExitCode);
        Assert.Contains("exit code 78", r.Message);
        // RestartPreventExitStatus=77 78: still failed, with no restart, after more than RestartSec.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(SystemdUnit.RestartSeconds + 3))
        {
            var show = ManagerOutput.ParseSystemctlShow(manager.Shell.Run("systemctl", new[] { "--user", "show", SystemdUnit.UnitName, "-p", "NRestarts,ActiveState" }).Output);
            Assert.Equal(("0", "failed"), (show["NRestarts"], show["ActiveState"]));
            await Task.Delay(500);
        }
        Assert.True(c.Uninstall(false).Ok);
    }

    private static async Task<(int Exit, System.Text.Json.Nodes.JsonObject Json)> CliAsync(SystemdUserManager manager, string? token, params string[] args)
    {
        var env = new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = null };
        foreach (var kv in manager.Environment) { env[kv.Key] = kv.Value; }
        HostCli.Result r = await HostCli.RunAsync(args.Append("--json"), token, env);
        if (token is not null) { Assert.DoesNotContain(token, r.Stdout + r.Stderr, StringComparison.Ordinal); }
        return (r.ExitCode, (System.Text.Json.Nodes.JsonObject)r.Json);
    }

    [Fact]
    public async Task Cli_lifecycle_speaks_the_action_ok_result_envelope_against_a_real_user_manager()
    {
        await using SystemdUserManager manager = await SystemdUserManager.StartAsync();
        using var state = new StateDir();
        string name = Unique("cli-systemd");
        var (exit, install) = await CliAsync(manager, _gateway.Token, "install", "--host", "127.0.0.1", "--port", _gateway.Port.ToString(), "--display-name", name, "--state-dir", state.Path);
        Assert.Equal(0, exit);
        Assert.Equal(("install", true, "installed"), ((string)install["action"]!, (bool)install["ok"]!, (string)install["result"]!));
        Assert.True((bool)install["service"]!["running"]!);
        Assert.Contains((string)install["connectionState"]!, new[] { "Connected", "AwaitingApproval" });
        Assert.Equal(Path.Combine(manager.UnitDirectory, SystemdUnit.UnitName), (string)install["definitionPath"]!);
        await WaitForNodeAsync(name, connected: true);
        Assert.Equal("already-installed", (string)(await CliAsync(manager, _gateway.Token, "install", "--state-dir", state.Path)).Json["result"]!);
        Assert.Equal("stopped", (string)(await CliAsync(manager, null, "stop")).Json["result"]!);
        await WaitForNodeAsync(name, connected: false);
        Assert.Equal("started", (string)(await CliAsync(manager, null, "start")).Json["result"]!);
        await WaitForNodeAsync(name, connected: true);
        Assert.Equal("restarted", (string)(await CliAsync(manager, null, "restart")).Json["result"]!);
        Assert.Equal("uninstalled", (string)(await CliAsync(manager, null, "uninstall")).Json["result"]!);
        Assert.Equal("not-installed", (string)(await CliAsync(manager, null, "uninstall")).Json["result"]!);
        var (startExit, start) = await CliAsync(manager, null, "start");
        Assert.Equal(1, startExit);
        Assert.False((bool)start["ok"]!);
        Assert.Contains("install", (string)start["hints"]![0]!);
        Assert.Equal("not-loaded", (string)(await CliAsync(manager, null, "stop")).Json["result"]!);
    }

    /// <summary>Starts argv with no token in the environment and waits until the gateway shows the node connected.</summary>
    private async Task RunUntilConnectedAsync(IReadOnlyList<string> argv, string displayName, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(argv[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in argv.Skip(1)) { psi.ArgumentList.Add(a); }
        psi.Environment.Remove("OPENCLAW_GATEWAY_TOKEN");
        if (env is not null) { foreach (var kv in env) { psi.Environment[kv.Key] = kv.Value; } }
        using Process p = Process.Start(psi)!;
        var stderr = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        try
        {
            Task<NodeInfo> connected = WaitForNodeAsync(displayName, connected: true);
            Task exited = p.WaitForExitAsync();
            if (await Task.WhenAny(connected, exited) == exited)
            {
                throw new InvalidOperationException($"The host exited with {p.ExitCode} before connecting: {stderr}");
            }
            Assert.True((await connected).Connected);
        }
        finally
        {
            if (!p.HasExited) { p.Kill(); await p.WaitForExitAsync(); }
        }
    }

    private static string WriteTokenFile(string stateDir, string token)
    {
        Directory.CreateDirectory(stateDir);
        string f = Path.Combine(stateDir, NodeServiceController.TokenFileName);
        File.WriteAllText(f, token + "\n");
        File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return f;
    }

    [Fact]
    public async Task Systemd_ExecStart_runs_with_its_environment_file_and_connects()
    {
        using var state = new StateDir();
        string name = Unique("exec-systemd");
        NodeServiceOptions o = Options(state.Path, name);
        string env = SystemdUnit.RenderEnvironmentFile(_gateway.Token);
        string unit = SystemdUnit.Render(o, Path.Combine(state.Path, SystemdUnit.EnvironmentFileName));
        await RunUntilConnectedAsync(SystemdUnit.SplitCommandLine(SystemdUnit.ReadSetting(unit, "ExecStart")!), name, SystemdUnit.ParseEnvironmentFile(env));
    }

    [Fact]
    public async Task Scheduled_task_command_runs_with_its_token_file_and_connects()
    {
        using var state = new StateDir();
        string name = Unique("exec-task");
        string tokenFile = WriteTokenFile(state.Path, _gateway.Token);
        NodeServiceOptions o = Options(state.Path, name) with { ServiceAccount = "CONTOSO\\alice" };
        byte[] bytes = ScheduledTaskDefinition.Encode(ScheduledTaskDefinition.Render(o, tokenFile));
        var doc = System.Xml.Linq.XDocument.Parse(Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2));
        System.Xml.Linq.XNamespace ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";
        string args = doc.Descendants(ns + "Arguments").Single().Value;
        IReadOnlyList<string> argv = WindowsCommandLine.Split(args);
        Assert.Equal("--headless", argv[0]);   // conhost.exe's own flag; the rest is the host's command line
        Assert.DoesNotContain(_gateway.Token, Encoding.Unicode.GetString(bytes));
        await RunUntilConnectedAsync(argv.Skip(1).ToList(), name);
    }

    [Fact]
    public async Task Windows_service_binary_path_runs_with_its_token_file_and_connects()
    {
        using var state = new StateDir();
        string name = Unique("exec-winsvc");
        string tokenFile = WriteTokenFile(state.Path, _gateway.Token);
        NodeServiceOptions o = Options(state.Path, name) with { Scope = NodeServiceScope.System };
        IReadOnlyList<string> create = WindowsServiceDefinition.Commands(o, tokenFile)[0];
        string binPath = create[create.ToList().IndexOf("binPath=") + 1];
        Assert.DoesNotContain(_gateway.Token, WindowsServiceDefinition.Render(o, tokenFile));
        await RunUntilConnectedAsync(WindowsCommandLine.Split(binPath), name);
    }

    [Fact]
    public async Task LaunchAgent_program_arguments_run_with_the_token_file_and_connect()
    {
        using var state = new StateDir();
        string name = Unique("exec-launchd");
        string tokenFile = WriteTokenFile(state.Path, _gateway.Token);
        string plist = LaunchAgentDefinition.Render(Options(state.Path, name), tokenFile, Path.Combine(state.Path, "node.log"));
        Assert.DoesNotContain(_gateway.Token, plist);
        await RunUntilConnectedAsync(LaunchAgentDefinition.ReadProgramArguments(plist), name);
    }

    [Fact]
    public async Task Token_file_readable_by_others_is_refused_with_exit_78()
    {
        using var state = new StateDir();
        string tokenFile = WriteTokenFile(state.Path, _gateway.Token);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        // The arguments the service starts the host with (less the dotnet + dll prefix, which HostCli adds itself).
        var (code, _, err) = await HostCli.RunAsync(Options(state.Path, "x").HostArguments(tokenFile).Skip(Host.Prefix.Length));
        Assert.Equal(78, code);
        Assert.Contains("chmod 600", err);
        Assert.DoesNotContain(_gateway.Token, err);
    }
}
