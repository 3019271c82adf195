using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// A loopback TCP proxy between the node host and the gateway that can silently drop all traffic on the current
/// connections (a half-open link: no FIN, no RST) or cut them abruptly (RST). New connections are forwarded normally.
/// </summary>
public sealed class LoopbackProxy : IDisposable
{
    private sealed class Link
    {
        public required TcpClient Client { get; init; }
        public required TcpClient Upstream { get; init; }
        public volatile bool BlackHoled;
    }

    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly List<Link> _links = new();
    private readonly CancellationTokenSource _stop = new();

    public LoopbackProxy(int targetPort) : this(targetPort, 0) { }

    /// <summary>A proxy listening on a chosen loopback port (0 = any free port).</summary>
    public LoopbackProxy(int targetPort, int listenPort)
    {
        _target = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections { get { lock (_links) { return _links.Count; } } }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            var upstream = new TcpClient();
            try { await upstream.ConnectAsync(IPAddress.Loopback, _target, _stop.Token); }
            catch (Exception) { client.Dispose(); upstream.Dispose(); continue; }
            var link = new Link { Client = client, Upstream = upstream };
            lock (_links) { _links.Add(link); }
            _ = Pump(link, client.GetStream(), upstream.GetStream());
            _ = Pump(link, upstream.GetStream(), client.GetStream());
        }
    }

    private async Task Pump(Link link, NetworkStream from, NetworkStream to)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReadAsync(buffer, _stop.Token);
                if (n == 0) { break; }
                if (link.BlackHoled) { continue; }   // read and drop: the sender sees no back-pressure, the receiver nothing
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
            if (!link.BlackHoled) { link.Client.Client.Shutdown(SocketShutdown.Both); link.Upstream.Client.Shutdown(SocketShutdown.Both); }
        }
        catch (Exception)
        {
            // Cut or torn down.
        }
    }

    /// <summary>From now on every byte on the current connections is dropped; the sockets stay open.</summary>
    public void BlackHoleCurrent()
    {
        lock (_links) { foreach (Link l in _links) { l.BlackHoled = true; } }
    }

    /// <summary>Resets the current connections (RST, no close frame).</summary>
    public void CutCurrent()
    {
        lock (_links)
        {
            foreach (Link l in _links)
            {
                l.Client.Client.LingerState = new LingerOption(true, 0);
                l.Upstream.Client.LingerState = new LingerOption(true, 0);
                l.Client.Dispose();
                l.Upstream.Dispose();
            }
            _links.Clear();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        CutCurrent();
    }
}

/// <summary>
/// Faults against the real gateway with the node host as a real process (issue 7): SIGKILL, unreachable at start, a
/// half-open connection caught by the tick watchdog, and an invocation in flight when the connection drops.
/// </summary>
public sealed class FaultTests : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly RealGateway _gw;

    /// <summary>One gateway for the class (each costs 10-30 s to start); the tests run one after another and leave it running.</summary>
    public FaultTests(GatewayFixture fixture) => _gw = fixture.Gateway;

    private static async Task<string> GatewayScript(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(RealGateway.RepoRoot, "scripts", "gateway.sh"));
        foreach (string a in args) { psi.ArgumentList.Add(a); }
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (p.ExitCode != 0) { throw new InvalidOperationException($"gateway.sh {string.Join(" ", args)}: exit {p.ExitCode}: {await stderr}"); }
        return await stdout;
    }

    /// <summary>Starts a node on <paramref name="port"/> and approves its command surface with the operator API.</summary>
    private async Task<(NodeProcess Node, string DeviceId)> StartApprovedAt(int port, StateDir dir, string name)
    {
        NodeProcess node = NodeProcess.StartAt(port, _gw, dir.Path, extra: new[] { "--display-name", name });
        JsonObject connected = await node.WaitForStateAsync("Connected", Wait);
        string deviceId = connected.Str("deviceId")!;
        await node.WaitForStateAsync("AwaitingApproval", Wait);
        await using OperatorClient op = await _gw.OperatorAsync();
        JsonObject pairing = await op.ListNodePairingAsync(default);
        JsonNode request = pairing.Arr("pending")!.Single(p => p.Str("nodeId") == deviceId)!;
        int before = node.Count;
        await op.ApproveNodePairingAsync(request.Str("requestId")!, default);
        await node.WaitForAsync(s => s.Str("state") == "Connected" && s.Str("message")!.Contains("approved"), Wait, before);
        return (node, deviceId);
    }

    private async Task AssertServes(string deviceId, string word)
    {
        await using OperatorClient op = await _gw.OperatorAsync();
        JsonNode? run = await op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "echo", word }) }, 20000, default);
        Assert.Equal(word + "\n", run.Str("stdout"));
    }

    private static string? Token(StateDir dir) => ((JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("node.json")))!).Str("token");

    [Fact]
    public async Task Sigkill_of_the_gateway_then_restart_node_reconnects_with_the_same_identity()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await StartApprovedAt(_gw.Port, dir, "fault-sigkill");
        await using var _ = node;
        string? token = Token(dir);

        int before = node.Count;
        await GatewayScript("kill", _gw.Directory);   // SIGKILL: no shutdown event, no close frame
        JsonObject dropped = await node.WaitForStateAsync("Reconnecting", Wait, before);
        Assert.DoesNotContain("1012", dropped.Str("message"));
        // While the gateway is down the host keeps retrying with growing, bounded delays and does not exit.
        await node.WaitForAsync(s => s.Str("state") == "Reconnecting" && s["retryInMs"] is not null, Wait, before);
        Assert.False(node.HasExited);

        await _gw.StartAgainAsync();
        JsonObject back = await node.WaitForStateAsync("Connected", Wait, before);
        Assert.Equal(deviceId, back.Str("deviceId"));
        await AssertServes(deviceId, "after-sigkill");
        Assert.Equal(token, Token(dir));
        foreach (JsonObject s in node.Statuses.Skip(before).Where(s => s["retryInMs"] is not null))
        {
            Assert.InRange((long)s["retryInMs"]!, 0, 30_000);
        }
    }

    [Fact]
    public async Task Gateway_unreachable_at_start_the_host_keeps_retrying_and_connects_when_it_comes_up()
    {
        using var dir = new StateDir();
        var (first, deviceId) = await StartApprovedAt(_gw.Port, dir, "fault-unreachable");
        Assert.Equal(0, await first.StopAsync(TimeSpan.FromSeconds(30)));
        await first.DisposeAsync();

        await _gw.StopAsync();
        NodeProcess node = NodeProcess.StartAt(_gw.Port, _gw, dir.Path);
        await using var _ = node;
        try
        {
            // Three failed attempts in a row (refused connections), the process still running.
            await node.WaitForAsync(s => s.Str("state") == "Reconnecting", Wait);
            await node.WaitForAsync(s => node.Statuses.Count(x => x.Str("state") == "Reconnecting") >= 3, TimeSpan.FromSeconds(60));
            Assert.False(node.HasExited);
            Assert.Contains("Could not connect", node.Statuses.Last(s => s.Str("state") == "Reconnecting").Str("message"));
        }
        finally
        {
            await _gw.StartAgainAsync();
        }
        JsonObject up = await node.WaitForStateAsync("Connected", Wait);
        Assert.Equal(deviceId, up.Str("deviceId"));
        await AssertServes(deviceId, "late-gateway");
    }

    [Fact]
    public async Task A_half_open_connection_is_detected_by_the_tick_watchdog_and_recovered()
    {
        using var proxy = new LoopbackProxy(_gw.Port);
        using var dir = new StateDir();
        var (node, deviceId) = await StartApprovedAt(proxy.Port, dir, "fault-halfopen");
        await using var _ = node;

        int before = node.Count;
        var sw = Stopwatch.StartNew();
        proxy.BlackHoleCurrent();
        // tickIntervalMs is 30 s: silence for 2 x 30 s closes with 4000 "tick timeout"; allow for the watchdog period.
        JsonObject dropped = await node.WaitForStateAsync("Reconnecting", TimeSpan.FromSeconds(120), before);
        sw.Stop();
        Assert.Contains("4000", dropped.Str("message"));
        Assert.InRange(sw.Elapsed.TotalSeconds, 55, 90);
        JsonObject back = await node.WaitForStateAsync("Connected", Wait, before);
        Assert.Equal(deviceId, back.Str("deviceId"));
        await AssertServes(deviceId, "after-half-open");
    }

    [Fact]
    public async Task An_invocation_in_flight_when_the_connection_drops_is_killed_and_never_reported()
    {
        using var proxy = new LoopbackProxy(_gw.Port);
        using var dir = new StateDir();
        var (node, deviceId) = await StartApprovedAt(proxy.Port, dir, "fault-inflight");
        await using var _ = node;
        string pidFile = dir.File("child.pid");
        string doneFile = dir.File("child.done");

        await using OperatorClient op = await _gw.OperatorAsync();
        Task<JsonNode?> invoke = op.InvokeAsync(deviceId, "system.run", new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "/bin/sh", "-c", $"echo $$ > '{pidFile}'; sleep 8; touch '{doneFile}'" }),
        }, 60000, default);
        await Poll.Until(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0, TimeSpan.FromSeconds(30));
        int childPid = int.Parse(File.ReadAllText(pidFile).Trim());
        Assert.True(Proc.Alive(childPid));

        int before = node.Count;
        proxy.CutCurrent();
        await node.WaitForStateAsync("Reconnecting", Wait, before);
        // Documented behaviour: the run belongs to the connection; when it drops the child tree is killed and no result is sent.
        await Proc.WaitUntilDead(childPid, TimeSpan.FromSeconds(15));
        var operatorSaw = await Assert.ThrowsAnyAsync<Exception>(() => invoke);
        await node.WaitForStateAsync("Connected", Wait, before);
        await AssertServes(deviceId, "after-drop");
        // The child is dead (checked above) and never reached its last step.
        Assert.False(File.Exists(doneFile), "the child was not killed: it ran to completion");
        Assert.Contains("no result is sent for a cancelled invocation", node.Stderr);
        Assert.DoesNotContain("Could not deliver the result", node.Stderr);
        Assert.NotNull(operatorSaw.Message);
    }
}
