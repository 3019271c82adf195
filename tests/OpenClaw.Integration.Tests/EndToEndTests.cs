using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>Our node host as a real process against the real OpenClaw gateway: pairing, approval, which, run, timeout, cancel.</summary>
[Collection("gateway")]
public sealed class EndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly RealGateway _gw;

    public EndToEndTests(GatewayFixture fixture) => _gw = fixture.Gateway;

    /// <summary>Starts a node, approves its command surface with the given approver, and waits until it serves.</summary>
    internal static async Task<(NodeProcess Node, string DeviceId)> StartApprovedAsync(RealGateway gw, StateDir dir, string name, bool useRealCli = false, params string[] extra)
    {
        NodeProcess node = NodeProcess.Start(gw, dir.Path, extra: new[] { "--display-name", name }.Concat(extra).ToArray());
        JsonObject connected = await node.WaitForStateAsync("Connected", Wait);
        string deviceId = connected.Str("deviceId")!;
        await node.WaitForStateAsync("AwaitingApproval", Wait);
        await using (OperatorClient op = await gw.OperatorAsync())
        {
            JsonObject pairing = await op.ListNodePairingAsync(default);
            JsonNode request = pairing.Arr("pending")!.Single(p => p.Str("nodeId") == deviceId)!;
            Assert.Equal(name, request.Str("displayName"));
            Assert.Equal("linux", request.Str("platform"));
            Assert.Contains("system.run", request.StrArray("commands")!);
            Assert.Contains("system.which", request.StrArray("commands")!);
            int before = node.Count;
            if (useRealCli) { await gw.CliAsync("nodes", "approve", request.Str("requestId")!); }
            else { await op.ApproveNodePairingAsync(request.Str("requestId")!, default); }
            await node.WaitForAsync(s => s.Str("state") == "Connected" && s.Str("message")!.Contains("approved"), Wait, before);
        }
        return (node, deviceId);
    }

    [Fact]
    public async Task Node_pairs_gets_approved_with_the_real_cli_and_answers_which_and_run_through_the_gateway()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await StartApprovedAsync(_gw, dir, "e2e-cli", useRealCli: true);
        await using var _ = node;

        // The device token issued in hello-ok is persisted in node.json, 0600.
        JsonObject config = (JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("node.json")))!;
        Assert.False(string.IsNullOrEmpty(config.Str("token")));
        Assert.Equal(_gw.Port, (int)config.Obj("gateway").Long("port")!);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File("node.json")));
        Assert.DoesNotContain(config.Str("token")!, node.Stderr);
        Assert.DoesNotContain(_gw.Token, node.Stderr);

        await using OperatorClient op = await _gw.OperatorAsync();
        JsonNode? which = await op.InvokeAsync(deviceId, "system.which", new JsonObject { ["bins"] = Json.ToArray(new[] { "sh", "ls", "nonexistentbin" }) }, 15000, default);
        JsonObject bins = which.Obj("bins")!;
        Assert.Equal(new[] { "ls", "sh" }, bins.Select(kv => kv.Key).OrderBy(k => k).ToArray());
        Assert.True(File.Exists(bins.Str("sh")));

        JsonNode? run = await op.InvokeAsync(deviceId, "system.run",
            new JsonObject { ["command"] = Json.ToArray(new[] { "sh", "-c", "echo out; echo err 1>&2; exit 3" }) }, 15000, default);
        Assert.Equal(3, (int)run!["exitCode"]!);
        Assert.Equal("out\n", run.Str("stdout"));
        Assert.Equal("err\n", run.Str("stderr"));
        Assert.False(run.Bool("success"));
        Assert.False(run.Bool("timedOut"));

        JsonNode? echo = await op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "echo", "hi there" }) }, 15000, default);
        Assert.Equal("hi there\n", echo.Str("stdout"));
        Assert.True(echo.Bool("success"));

        // The gateway lists our node with the canonical platform pair and the approved surface.
        JsonObject list = await op.ListNodesAsync(default);
        JsonNode me = list.Arr("nodes")!.Single(n => n.Str("nodeId") == deviceId)!;
        Assert.True(me.Bool("connected"));
        Assert.Equal("approved", me.Str("approvalState"));
        Assert.Equal("Linux", me.Str("deviceFamily"));
        Assert.Contains("system.run", me.StrArray("commands")!);
    }

    [Fact]
    public async Task The_host_runs_its_socket_continuations_inline_and_its_children_see_neither_the_token_nor_that_setting()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await StartApprovedAsync(_gw, dir, "e2e-env", false, "--log-level", "debug");
        await using var _ = node;
        // The host asked the runtime for inline socket continuations before its first socket, and got them.
        Assert.Contains("Socket continuations run inline on the socket engine thread.", node.Stderr);
        Assert.DoesNotContain("Socket continuations run on thread-pool threads.", node.Stderr);

        await using OperatorClient op = await _gw.OperatorAsync();
        JsonNode? run = await op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "env" }) }, 15000, default);
        string env = run.Str("stdout")!;
        Assert.Contains("PATH=", env);
        Assert.DoesNotContain("DOTNET_SYSTEM_NET_SOCKETS_", env);
        Assert.DoesNotContain("OPENCLAW_GATEWAY_TOKEN", env);
        Assert.DoesNotContain(_gw.Token, env);
    }

    [Fact]
    public async Task Unknown_commands_and_bad_params_get_error_results_not_crashes()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await StartApprovedAsync(_gw, dir, "e2e-bad");
        await using var _ = node;
        await using OperatorClient op = await _gw.OperatorAsync();
        var ex = await Assert.ThrowsAsync<GatewayException>(() => op.InvokeAsync(deviceId, "system.which", new JsonObject { ["bins"] = "sh" }, 15000, default));
        Assert.Contains("INVALID_REQUEST: bins required", ex.Message);
        var ex2 = await Assert.ThrowsAsync<GatewayException>(() => op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = new JsonArray() }, 15000, default));
        Assert.Contains("command required", ex2.Message);
        var ex3 = await Assert.ThrowsAsync<GatewayException>(() => op.InvokeAsync(deviceId, "system.run",
            new JsonObject { ["command"] = Json.ToArray(new[] { "true" }), ["env"] = new JsonObject { ["LD_PRELOAD"] = "/tmp/x.so" } }, 15000, default));
        Assert.Contains("environment override rejected (blocked override keys: LD_PRELOAD)", ex3.Message);
        // Still alive and serving.
        JsonNode? ok = await op.InvokeAsync(deviceId, "system.which", new JsonObject { ["bins"] = Json.ToArray(new[] { "sh" }) }, 15000, default);
        Assert.NotNull(ok.Obj("bins").Str("sh"));
        Assert.False(node.HasExited);
    }

    [Fact]
    public async Task Run_timeout_kills_the_process_tree()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await StartApprovedAsync(_gw, dir, "e2e-timeout");
        await using var _ = node;
        string pidFile = dir.File("grandchild.pid");
        await using OperatorClient op = await _gw.OperatorAsync();
        JsonNode? run = await op.InvokeAsync(deviceId, "system.run", new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "sh", "-c", $"sleep 60 & echo $! > {pidFile}; wait" }),
            ["timeoutMs"] = 1000,
        }, 20000, default);
        Assert.Equal(124, (int)run!["exitCode"]!);
        Assert.True(run.Bool("timedOut"));
        Assert.False(run.Bool("success"));
        int pid = int.Parse(File.ReadAllText(pidFile).Trim());
        Assert.False(Proc.Alive(pid), $"sleep {pid} survived the timeout");
    }

    [Fact]
    public async Task Gateway_deadline_cancels_the_run_and_the_node_reports_nothing_afterwards()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await StartApprovedAsync(_gw, dir, "e2e-cancel");
        await using var _ = node;
        string pidFile = dir.File("run.pid");
        await using OperatorClient op = await _gw.OperatorAsync();
        var ex = await Assert.ThrowsAsync<GatewayException>(() => op.InvokeAsync(deviceId, "system.run", new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "sh", "-c", $"echo $$ > {pidFile}; exec sleep 60" }),
        }, 2000, default));
        Assert.Contains("TIMEOUT", ex.Message);
        int pid = int.Parse(File.ReadAllText(pidFile).Trim());
        await Proc.WaitUntilDead(pid, TimeSpan.FromSeconds(15));
        // The node logged the cancellation and did not send a result for it.
        await Poll.Until(() => node.Stderr.Contains("cancelled by the gateway"), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("Could not deliver the result", node.Stderr);
        Assert.DoesNotContain("ignored the result", node.Stderr);
    }

    [Fact]
    public async Task Concurrent_invocations_run_in_parallel()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await StartApprovedAsync(_gw, dir, "e2e-par");
        await using var _ = node;
        await using OperatorClient op = await _gw.OperatorAsync();
        string barrier = dir.File("barrier");
        // Each run waits for the other's marker: only parallel execution can finish both.
        Task<JsonNode?> a = op.InvokeAsync(deviceId, "system.run", new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "sh", "-c", $"touch {barrier}.a; for i in $(seq 100); do [ -e {barrier}.b ] && exit 0; sleep 0.1; done; exit 1" }),
        }, 20000, default);
        Task<JsonNode?> b = op.InvokeAsync(deviceId, "system.run", new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "sh", "-c", $"touch {barrier}.b; for i in $(seq 100); do [ -e {barrier}.a ] && exit 0; sleep 0.1; done; exit 1" }),
        }, 20000, default);
        Assert.Equal(0, (int)(await a)!["exitCode"]!);
        Assert.Equal(0, (int)(await b)!["exitCode"]!);
    }

    [Fact]
    public async Task Two_state_directories_are_two_identities()
    {
        using var d1 = new StateDir();
        using var d2 = new StateDir();
        var (n1, id1) = await StartApprovedAsync(_gw, d1, "e2e-one");
        await using var _1 = n1;
        var (n2, id2) = await StartApprovedAsync(_gw, d2, "e2e-two");
        await using var _2 = n2;
        Assert.NotEqual(id1, id2);
        await using OperatorClient op = await _gw.OperatorAsync();
        JsonObject list = await op.ListNodesAsync(default);
        var connected = list.Arr("nodes")!.Where(n => n.Bool("connected") == true).Select(n => n.Str("nodeId")).ToList();
        Assert.Contains(id1, connected);
        Assert.Contains(id2, connected);
    }

    [Fact]
    public async Task Sigterm_stops_the_node_cleanly_with_exit_code_0()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path);
        await using var _ = node;
        await node.WaitForStateAsync("Connected", Wait);
        Assert.Equal(0, await node.StopAsync(TimeSpan.FromSeconds(15)));
        await node.WaitForStateAsync("Stopped", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Wrong_shared_token_without_a_device_token_exits_77_without_leaking_it()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, token: "definitely-not-the-token");
        await using var _ = node;
        Assert.Equal(77, await node.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        JsonObject failed = await node.WaitForStateAsync("Failed", TimeSpan.FromSeconds(5));
        Assert.Contains("rejected the shared token", failed.Str("message"));
        Assert.DoesNotContain("definitely-not-the-token", node.Stderr);
    }

    [Fact]
    public async Task Missing_token_exits_77_with_advice()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, withToken: false);
        await using var _ = node;
        Assert.Equal(77, await node.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("OPENCLAW_GATEWAY_TOKEN", node.Stderr);
    }

    [Fact]
    public async Task Corrupt_state_exits_78_and_leaves_the_file_alone()
    {
        using var dir = new StateDir();
        Directory.CreateDirectory(dir.Path);
        File.WriteAllText(dir.File("node.json"), "{\"version\":1,\"nodeId\":");
        NodeProcess node = NodeProcess.Start(_gw, dir.Path);
        await using var _ = node;
        Assert.Equal(78, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("node.json", node.Stderr);
        Assert.Equal("{\"version\":1,\"nodeId\":", File.ReadAllText(dir.File("node.json")));
    }

    [Fact]
    public async Task Removed_node_reconnects_with_the_shared_token_and_needs_approval_again()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await StartApprovedAsync(_gw, dir, "e2e-removed");
        await using var _ = node;
        string oldToken = ((JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("node.json")))!).Str("token")!;
        int before = node.Count;
        await using (OperatorClient op = await _gw.OperatorAsync())
        {
            await op.CallAsync("node.pair.remove", new JsonObject { ["nodeId"] = deviceId }, null, default);
        }
        JsonObject reconnecting = await node.WaitForStateAsync("Reconnecting", Wait, before);
        Assert.Contains("4001", reconnecting.Str("message"));
        await node.WaitForStateAsync("AwaitingApproval", Wait, before);
        string newToken = ((JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("node.json")))!).Str("token")!;
        Assert.NotEqual(oldToken, newToken);
        Assert.Contains("device token was rejected", string.Join("\n", node.Statuses.Select(s => s.Str("message"))) + node.Stderr);
    }
}
