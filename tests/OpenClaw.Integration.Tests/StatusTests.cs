using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary><c>openclaw-node status</c> as a real process, reading the status our host (a real process) publishes.</summary>
internal static class StatusCli
{
    /// <summary><c>status --state-dir <paramref name="stateDir"/></c> (with <c>--json</c> unless <paramref name="json"/> is false): exit code, parsed JSON (empty for text) and stdout; asserts stderr is empty.</summary>
    public static async Task<(int ExitCode, JsonObject Json, string Text)> RunAsync(string stateDir, bool json = true)
    {
        HostCli.Result r = await HostCli.RunAsync(json ? new[] { "status", "--state-dir", stateDir, "--json" } : new[] { "status", "--state-dir", stateDir }, timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(string.Empty, r.Stderr);
        return (r.ExitCode, json ? (JsonObject)r.Json : new JsonObject(), r.Stdout);
    }

    public static void AssertNoSecrets(string output, RealGateway gw, StateDir dir)
    {
        Assert.DoesNotContain(gw.Token, output);
        string nodeJson = dir.File("node.json");
        if (File.Exists(nodeJson) && ((JsonObject)JsonNode.Parse(File.ReadAllText(nodeJson))!).Str("token") is string deviceToken)
        {
            Assert.DoesNotContain(deviceToken, output);
            Assert.DoesNotContain(deviceToken, File.ReadAllText(dir.File("node-status.json")));
        }
        Assert.DoesNotContain(gw.Token, File.ReadAllText(dir.File("node-status.json")));
    }
}

/// <summary>Status against the shared default gateway (loopback devices approved silently; command surfaces are not).</summary>
[Collection("gateway")]
public sealed class StatusTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly RealGateway _gw;

    public StatusTests(GatewayFixture fixture) => _gw = fixture.Gateway;

    [Fact]
    public async Task Status_of_a_running_host_awaiting_command_approval_then_connected_and_healthy()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--display-name", "status-ok" });
        await using var owned = node;
        JsonObject connected = await node.WaitForStateAsync("Connected", Wait);
        string deviceId = connected.Str("deviceId")!;
        await node.WaitForStateAsync("AwaitingApproval", Wait);

        // Connected, but the gateway does not serve the node's commands yet: connected, not healthy, exit 1.
        var (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(1, code);
        Assert.True(s.Bool("connected"));
        Assert.False(s.Bool("healthy"));
        Assert.Equal("AwaitingApproval", s.Obj("connection").Str("state"));
        Assert.False(s.Obj("pairing").Bool("commandSurfaceApproved"));
        Assert.True(s.Obj("pairing").Bool("deviceApproved"));
        Assert.Contains("openclaw nodes approve", s.Str("summary"));

        await using (OperatorClient op = await _gw.OperatorAsync()) { await node.ApproveCommandSurfaceAsync(op, deviceId, Wait); }

        (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(0, code);
        Assert.True(s.Bool("healthy"));
        Assert.True(s.Bool("connected"));
        JsonObject host = s.Obj("host")!;
        Assert.Equal("Running", host.Str("state"));
        Assert.Equal(node.Pid, (int)host.Long("pid")!);
        Assert.Equal(deviceId, host.Str("deviceId"));
        Assert.Equal("status-ok", host.Str("displayName"));
        Assert.Equal($"ws://127.0.0.1:{_gw.Port}/", s.Obj("gateway").Str("url"));
        Assert.False(s.Obj("gateway").Bool("tls"));
        Assert.Equal("Connected", s.Obj("connection").Str("state"));
        Assert.NotNull(s.Obj("connection").Str("since"));
        Assert.Equal(0, s.Obj("connection").Long("reconnectAttempts"));
        Assert.True(s.Obj("pairing").Bool("commandSurfaceApproved"));
        Assert.True(s.Obj("pairing").Bool("deviceTokenStored"));
        Assert.Equal("full", s.Obj("policy").Str("security"));
        Assert.False(s.Obj("service").Bool("installed"));
        Assert.Equal(Path.GetFullPath(dir.Path), s.Str("stateDirectory"));
        StatusCli.AssertNoSecrets(s.ToJsonString(), _gw, dir);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File("node-status.json")));

        // The text form carries the same verdict and exit code (Intune: output plus exit code 0).
        var (textCode, _, text) = await StatusCli.RunAsync(dir.Path, json: false);
        Assert.Equal(0, textCode);
        Assert.StartsWith("Healthy:", text);
        Assert.Contains(node.Pid.ToString(), text);

        // A clean stop marks the file Stopped: not running, exit 3.
        Assert.Equal(0, await node.StopAsync(TimeSpan.FromSeconds(30)));
        (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(3, code);
        Assert.Equal("Stopped", s.Obj("host").Str("state"));
        Assert.False(s.Bool("connected"));
        Assert.Equal(0, s.Obj("host").Long("exitCode"));
    }

    [Fact]
    public async Task Status_after_the_host_is_killed_says_dead_never_connected()
    {
        using var dir = new StateDir();
        var (node, _) = await EndToEndTests.StartApprovedAsync(_gw, dir, "status-kill");
        await using var owned = node;
        var (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(0, code);
        Assert.True(s.Bool("connected"));

        int pid = node.Pid;
        using (Process p = Process.GetProcessById(pid)) { p.Kill(); }   // SIGKILL: no clean stop, the file still says Connected
        await node.WaitForExitAsync(TimeSpan.FromSeconds(30));
        JsonObject file = (JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("node-status.json")))!;
        Assert.Equal("Connected", file.Str("state"));

        (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(3, code);
        Assert.False(s.Bool("connected"));
        Assert.False(s.Bool("healthy"));
        Assert.Equal("Dead", s.Obj("host").Str("state"));
        Assert.False(s.Obj("host").Bool("running"));
        Assert.Equal(pid, (int)s.Obj("host").Long("pid")!);
        Assert.Null(s.Obj("connection").Str("state"));
        Assert.Equal("Connected", s.Obj("connection").Str("lastKnownState"));
        Assert.Contains("without a clean stop", s.Str("summary"));

        // A new host takes over the same state directory and the status follows it.
        NodeProcess again = NodeProcess.Start(_gw, dir.Path);
        await using var ownedAgain = again;
        await again.WaitForStateAsync("Connected", Wait);
        (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(0, code);
        Assert.Equal(again.Pid, (int)s.Obj("host").Long("pid")!);
    }

}

/// <summary>Status where nothing was ever installed or run: needs no gateway.</summary>
public sealed class StatusWithoutHostTests
{
    [Fact]
    public async Task Status_with_nothing_installed_and_no_host()
    {
        using var dir = new StateDir();
        var (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(3, code);
        Assert.False(s.Bool("healthy"));
        Assert.False(s.Bool("connected"));
        Assert.Equal("NotRunning", s.Obj("host").Str("state"));
        Assert.False(s.Obj("service").Bool("installed"));
        Assert.Equal("None", s.Obj("service").Str("manager"));
        Assert.Null(s.Obj("gateway").Str("url"));
        Assert.Contains("No node host has run", s.Str("summary"));
        Assert.False(Directory.Exists(dir.Path), "status must not create the state directory");

        var (textCode, _, text) = await StatusCli.RunAsync(dir.Path, json: false);
        Assert.Equal(3, textCode);
        Assert.StartsWith("Not running:", text);
    }
}

/// <summary>A gateway that needs operator approval for devices (ManualPairingGatewayFixture, OperatorCliTests.cs), restarted under a running node: pending pairing and reconnects in the status.</summary>
[CollectionDefinition("status-manual")]
public sealed class StatusManualCollection : ICollectionFixture<ManualPairingGatewayFixture> { }

[Collection("status-manual")]
public sealed class StatusPairingAndRestartTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly RealGateway _gw;

    public StatusPairingAndRestartTests(ManualPairingGatewayFixture fixture) => _gw = fixture.Gateway;

    [Fact]
    public async Task Status_shows_pending_device_pairing_then_after_a_gateway_restart_the_reconnects_and_last_error()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--display-name", "status-pair" });
        await using var owned = node;
        JsonObject pending = await node.WaitForStateAsync("PairingRequired", Wait);
        string requestId = pending.Str("pairingRequestId")!;
        string deviceId = pending.Str("deviceId")!;

        // Host running, device pairing pending: not connected, the request id to approve, exit 1.
        var (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(1, code);
        Assert.True(s.Obj("host").Bool("running"));
        Assert.False(s.Bool("connected"));
        Assert.False(s.Bool("healthy"));
        Assert.Equal("PairingRequired", s.Obj("connection").Str("state"));
        Assert.False(s.Obj("pairing").Bool("deviceApproved"));
        Assert.Equal(requestId, s.Obj("pairing").Str("pendingRequestId"));
        Assert.Contains($"openclaw devices approve {requestId}", s.Str("summary"));
        Assert.Equal(deviceId, s.Obj("host").Str("deviceId"));
        StatusCli.AssertNoSecrets(s.ToJsonString(), _gw, dir);

        // The real CLI agrees that this request is pending.
        Assert.Contains(requestId, await _gw.CliAsync("devices", "list", "--json"));

        await using (OperatorClient op = await _gw.OperatorAsync())
        {
            int before = node.Count;
            await op.ApproveDevicePairingAsync(requestId, default);
            await node.WaitForStateAsync("AwaitingApproval", Wait, before);
            await node.ApproveCommandSurfaceAsync(op, deviceId, Wait);
        }
        (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(0, code);
        Assert.True(s.Obj("pairing").Bool("deviceApproved"));
        Assert.Null(s.Obj("pairing").Str("pendingRequestId"));
        Assert.Equal(0, s.Obj("connection").Long("disconnects"));

        // The gateway goes away: the host keeps running, not connected, with the disconnect and failed attempts visible.
        int atStop = node.Count;
        await _gw.StopAsync();
        await node.WaitForStateAsync("Reconnecting", Wait, atStop);
        // A failed attempt is counted before its "Retrying in" status line is reported.
        await node.WaitForAsync(x => x.Str("state") == "Reconnecting" && x.Str("message")!.Contains("Retrying in"), Wait, atStop);
        (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(1, code);
        Assert.True(s.Obj("host").Bool("running"));
        Assert.False(s.Bool("connected"));
        Assert.Equal(1, s.Obj("connection").Long("disconnects"));
        Assert.True(s.Obj("connection").Long("reconnectAttempts") >= 1);
        Assert.Equal("Reconnecting", s.Obj("connection").Str("state"));
        JsonObject? err = s.Obj("connection").Obj("lastError");
        Assert.NotNull(err);
        Assert.NotNull(err.Str("message"));
        Assert.Contains("Last error:", s.Str("summary"));

        await _gw.StartAgainAsync();
        JsonObject back = await node.WaitForStateAsync("Connected", Wait, atStop);
        Assert.Equal(deviceId, back.Str("deviceId"));
        (code, s, _) = await StatusCli.RunAsync(dir.Path);
        Assert.Equal(0, code);
        Assert.True(s.Bool("healthy"));
        JsonObject conn = s.Obj("connection")!;
        Assert.Equal(1, conn.Long("disconnects"));
        Assert.Equal(0, conn.Long("reconnectAttempts"));
        Assert.NotNull(conn.Obj("lastError"));
        Assert.True(DateTimeOffset.Parse(conn.Obj("lastError").Str("at")!) >= DateTimeOffset.Parse(s.Obj("host").Str("startedAt")!));
    }
}

/// <summary>Status of nodes of the TLS gateway: the pinned fingerprint is shown, a pin mismatch is the last error.</summary>
[Collection("tls")]
public sealed class StatusTlsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly RealGateway _gw;

    public StatusTlsTests(TlsGatewayFixture fixture) => _gw = fixture.Gateway;

    [Fact]
    public async Task Status_shows_the_pinned_fingerprint_and_a_pin_mismatch_as_a_tls_failure()
    {
        using var good = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, good.Path, extra: new[] { "--tls", "--tls-fingerprint", _gw.TlsFingerprint! });
        await using var owned = node;
        await node.WaitForStateAsync("Connected", Wait);
        var (_, s, _) = await StatusCli.RunAsync(good.Path);
        Assert.True(s.Bool("connected"));
        Assert.True(s.Obj("gateway").Bool("tls"));
        Assert.StartsWith("wss://", s.Obj("gateway").Str("url"));
        Assert.Equal(_gw.TlsFingerprint, s.Obj("gateway").Str("tlsFingerprint"));

        using var bad = new StateDir();
        string wrong = new string(_gw.TlsFingerprint!.Select(c => c == 'a' ? 'b' : c == '0' ? '1' : c).ToArray());
        NodeProcess mismatch = NodeProcess.Start(_gw, bad.Path, extra: new[] { "--tls", "--tls-fingerprint", wrong });
        await using var ownedMismatch = mismatch;
        await mismatch.WaitForStateAsync("Reconnecting", Wait);
        var (code, m, _) = await StatusCli.RunAsync(bad.Path);
        Assert.Equal(1, code);
        Assert.False(m.Bool("connected"));
        Assert.Equal(wrong, m.Obj("gateway").Str("tlsFingerprint"));
        Assert.Equal("TlsFailure", m.Obj("connection").Obj("lastError").Str("kind"));
        Assert.True(m.Obj("connection").Long("reconnectAttempts") >= 1);
    }
}
