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
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>One real gateway that does not approve loopback devices silently, shared by the tests of one class.</summary>
public sealed class ManualPairingGatewayFixture : IAsyncLifetime
{
    public RealGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await RealGateway.StartAsync(autoApproveLocal: false);

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>
/// The operator side as a fleet admin uses it without PowerShell: <c>openclaw-node nodes …</c> against the real gateway,
/// checked with the real <c>openclaw nodes list --json</c>; the operator's own device identity; bad input.
/// </summary>
[Collection("manual-pairing")]
public sealed class OperatorCliTests : IClassFixture<ManualPairingGatewayFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly RealGateway _gw;

    public OperatorCliTests(ManualPairingGatewayFixture f) => _gw = f.Gateway;

    private string[] Gw(params string[] args) => args.Concat(new[] { "--port", _gw.Port.ToString(), "--json" }).ToArray();

    [Fact]
    public async Task Nodes_pending_approve_list_invoke_rename_remove_through_the_cli()
    {
        using var dirA = new StateDir();
        using var dirB = new StateDir();
        using var opState = new StateDir();
        NodeProcess a = NodeProcess.Start(_gw, dirA.Path, extra: new[] { "--display-name", "cli-a" });
        NodeProcess b = NodeProcess.Start(_gw, dirB.Path, extra: new[] { "--display-name", "cli-b" });
        await using var _a = a;
        await using var _b = b;
        string idA = (await a.WaitForStateAsync("PairingRequired", Wait)).Str("deviceId")!;
        string idB = (await b.WaitForStateAsync("PairingRequired", Wait)).Str("deviceId")!;

        HostCli.Result pending = await HostCli.RunAsync(_gw.Token, Gw("nodes", "pending", "--state-dir", opState.Path));
        Assert.Equal(0, pending.ExitCode);
        var pendingArr = pending.Json.AsArray();
        JsonNode reqA = pendingArr.Single(r => r.Str("nodeId") == idA)!;
        Assert.Equal("device", reqA.Str("kind"));
        Assert.Equal("cli-a", reqA.Str("displayName"));
        Assert.Contains(pendingArr, r => r.Str("nodeId") == idB);

        // Reject b's request; approve a's device and command surface in one command, no restart.
        HostCli.Result reject = await HostCli.RunAsync(_gw.Token, Gw("nodes", "reject", pendingArr.Single(r => r.Str("nodeId") == idB)!.Str("requestId")!));
        Assert.Equal(0, reject.ExitCode);
        Assert.True(reject.Json.AsArray().Single()!.Bool("ok"));
        HostCli.Result approve = await HostCli.RunAsync(_gw.Token, Gw("nodes", "approve", reqA.Str("requestId")!, "--include-command-surface"));
        Assert.True(approve.ExitCode == 0, approve.Stderr);
        Assert.Equal(new[] { "device", "commandSurface" }, approve.Json.AsArray().Select(r => r.Str("kind")).ToArray());
        await a.WaitForStateAsync("Connected", Wait);

        // list agrees with the real CLI's view.
        JsonNode mine = null!;
        await Poll.Until(() =>
        {
            HostCli.Result l = HostCli.RunAsync(_gw.Token, Gw("nodes", "list")).GetAwaiter().GetResult();
            mine = l.Json.AsArray().Single(n => n.Str("nodeId") == idA)!;
            return mine.Bool("connected") == true;
        }, Wait);
        Assert.Equal("approved", mine.Str("approvalState"));
        JsonNode real = JsonNode.Parse(await _gw.CliAsync("nodes", "list", "--json"))!;
        JsonNode realMine = AllObjects(real).First(n => n.Str("nodeId") == idA && n.Str("displayName") is not null);
        Assert.Equal(realMine.Str("displayName"), mine.Str("displayName"));
        Assert.Equal(realMine.Bool("connected"), mine.Bool("connected"));
        Assert.DoesNotContain(AllObjects(real), n => n.Str("nodeId") == idB && n.Bool("paired") == true);

        // invoke by display name: system.which and system.run with a typed result shape.
        HostCli.Result which = await HostCli.RunAsync(_gw.Token, Gw("nodes", "invoke", "--node", "cli-a", "--command", "system.which", "--params", "{\"bins\":[\"sh\"]}"));
        Assert.True(which.ExitCode == 0, which.Stderr);
        Assert.StartsWith("/", which.Json.Obj("bins").Str("sh"));
        await using (OperatorClient op = await _gw.OperatorAsync())
        {
            SystemRunResult run = await op.RunAsync(idA, new[] { "sh", "-c", "echo out; echo err >&2; exit 3" }, "/", new Dictionary<string, string> { ["OC_TEST"] = "v" }, 10000, default);
            Assert.Equal(3, run.ExitCode);
            Assert.False(run.Success);
            Assert.False(run.TimedOut);
            Assert.Equal("out\n", run.StdOut);
            Assert.Equal("err\n", run.StdErr);
            SystemRunResult env = await op.RunAsync(idA, new[] { "printenv", "OC_TEST" }, null, new Dictionary<string, string> { ["OC_TEST"] = "v1" }, 10000, default);
            Assert.Equal("v1\n", env.StdOut);
            // Through a shell, only the terminal/locale variables pass (spec §9.8): the value is dropped, not an error.
            SystemRunResult viaShell = await op.RunAsync(idA, new[] { "sh", "-c", "printf %s \"$OC_TEST\"" }, null, new Dictionary<string, string> { ["OC_TEST"] = "v1" }, 10000, default);
            Assert.Equal("", viaShell.StdOut);
            Assert.True(env.Success);
            await Assert.ThrowsAsync<ArgumentException>(() => op.RunAsync(idA, Array.Empty<string>(), null, null, 1000, default));
        }

        HostCli.Result rename = await HostCli.RunAsync(_gw.Token, Gw("nodes", "rename", idA.Substring(0, 8), "cli-a-renamed"));
        Assert.True(rename.ExitCode == 0, rename.Stderr);
        JsonNode afterRename = JsonNode.Parse(await _gw.CliAsync("nodes", "list", "--json"))!;
        Assert.Contains(AllObjects(afterRename), n => n.Str("nodeId") == idA && n.Str("displayName") == "cli-a-renamed");

        int before = a.Count;
        HostCli.Result remove = await HostCli.RunAsync(_gw.Token, Gw("nodes", "remove", "cli-a-renamed"));
        Assert.True(remove.ExitCode == 0, remove.Stderr);
        await a.WaitForStateAsync("PairingRequired", Wait, before);
    }

    [Fact]
    public async Task Bad_input_gives_the_documented_error_and_changes_nothing()
    {
        // Unknown request id: exit 1 with a hint; nothing approved.
        HostCli.Result unknown = await HostCli.RunAsync(_gw.Token, Gw("nodes", "approve", "00000000-0000-0000-0000-000000000000"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No pending request has the id", unknown.Stderr);
        Assert.Contains("nodes pending", unknown.Stderr);
        // Neither an id nor --all, or both: usage.
        Assert.Equal(2, (await HostCli.RunAsync(_gw.Token, Gw("nodes", "approve"))).ExitCode);
        Assert.Equal(2, (await HostCli.RunAsync(_gw.Token, Gw("nodes", "approve", "x", "--all"))).ExitCode);
        // A selector that matches nothing.
        HostCli.Result none = await HostCli.RunAsync(_gw.Token, Gw("nodes", "remove", "no-such-node"));
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("No node matches 'no-such-node'", none.Stderr);
        // Bad params JSON is refused before connecting.
        HostCli.Result badParams = await HostCli.RunAsync(_gw.Token, Gw("nodes", "invoke", "--node", "x", "--command", "system.which", "--params", "[1]"));
        Assert.Equal(2, badParams.ExitCode);
        Assert.Contains("--params must be a JSON object", badParams.Stderr);
        // Wrong token: 77, and the token is not echoed.
        HostCli.Result wrong = await HostCli.RunAsync("wrong-token-123456", Gw("nodes", "list"));
        Assert.Equal(77, wrong.ExitCode);
        Assert.DoesNotContain("wrong-token-123456", wrong.Stderr + wrong.Stdout);
        // Unreachable gateway: 1 with a message naming the address.
        int closedPort = FreePort();
        HostCli.Result down = await HostCli.RunAsync(_gw.Token, "nodes", "list", "--port", closedPort.ToString(), "--json");
        Assert.Equal(1, down.ExitCode);
        Assert.Contains(closedPort.ToString(), down.Stderr);
        // Malformed fingerprint: usage.
        Assert.Equal(2, (await HostCli.RunAsync(_gw.Token, Gw("nodes", "list", "--tls", "--tls-fingerprint", "abc"))).ExitCode);
    }

    [Fact]
    public void A_selector_matching_several_nodes_is_ambiguous_and_lists_them()
    {
        var nodes = new[]
        {
            new NodeInfo { NodeId = new string('a', 64), DisplayName = "twin" },
            new NodeInfo { NodeId = new string('b', 64), DisplayName = "twin" },
        };
        var ex = Assert.Throws<GatewayException>(() => OperatorOperations.ResolveNode(nodes, "twin"));
        Assert.Equal("NodeAmbiguous", ex.ErrorId);
        Assert.Contains("aaaaaaaaaaaa", ex.Message);
        Assert.Contains("bbbbbbbbbbbb", ex.Message);
        // One connected twin wins.
        var oneUp = new[] { nodes[0], nodes[1] with { Connected = true } };
        Assert.Equal(new string('b', 64), OperatorOperations.ResolveNode(oneUp, "twin").NodeId);
    }

    [Fact]
    public async Task An_operator_device_is_paired_once_then_connects_with_its_device_token_alone()
    {
        using var opState = new StateDir();
        var options = new OperatorOptions { Gateway = _gw.Settings, Token = _gw.Token, AuthMode = OperatorAuthMode.Device, StateDirectory = opState.Path };

        var pairing = await Assert.ThrowsAsync<GatewayException>(() => OperatorClient.ConnectAsync(options, null, default));
        Assert.Equal("OperatorPairingRequired", pairing.ErrorId);
        string requestId = pairing.Details.Str("requestId")!;
        Assert.Contains(requestId, pairing.Message);
        Assert.DoesNotContain(_gw.Token, pairing.Message);

        // The loopback admin session sees and approves the operator's request (role operator).
        await using (OperatorClient admin = await _gw.OperatorAsync())
        {
            NodeRequestInfo req = (await admin.GetRequestsAsync(default)).Single(r => r.RequestId == requestId);
            Assert.Equal("operator", req.Role);
            await admin.ApproveAsync(req, default);
        }

        await using (OperatorClient op = await OperatorClient.ConnectAsync(options, null, default))
        {
            Assert.NotNull(op.DeviceId);
            Assert.Contains("operator.admin", op.Scopes);
            Assert.NotNull(await op.ListNodesAsync(default));
        }
        var store = new OperatorIdentityStore(opState.Path);
        string? saved = store.GetDeviceToken(new Uri($"ws://127.0.0.1:{_gw.Port}").ToString());
        Assert.False(string.IsNullOrEmpty(saved));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.AuthPath));
        Assert.DoesNotContain(_gw.Token, File.ReadAllText(store.AuthPath));

        // Without the shared token at all: the device token alone authenticates, with the approved scopes.
        await using (OperatorClient op = await OperatorClient.ConnectAsync(options with { Token = null }, null, default))
        {
            Assert.Contains("operator.admin", op.Scopes);
            Assert.NotEmpty((await op.GetNodesAsync(default)).Select(n => n.NodeId).Append("x"));
        }

        // A saved token the gateway does not know is forgotten and the shared token used instead.
        store.SetDeviceToken(new Uri($"ws://127.0.0.1:{_gw.Port}").ToString(), "not-a-real-device-token", new[] { "operator.admin" });
        await using (OperatorClient op = await OperatorClient.ConnectAsync(options, null, default))
        {
            Assert.Contains("operator.admin", op.Scopes);
        }
        Assert.NotEqual("not-a-real-device-token", store.GetDeviceToken(new Uri($"ws://127.0.0.1:{_gw.Port}").ToString()));

        // The CLI uses the same identity with --use-device-identity.
        HostCli.Result cli = await HostCli.RunAsync(null, Gw("nodes", "list", "--use-device-identity", "--state-dir", opState.Path));
        Assert.True(cli.ExitCode == 0, cli.Stderr);
    }

    /// <summary>Every object in a JSON document (the real CLI's output nests node entries by section).</summary>
    private static IEnumerable<JsonObject> AllObjects(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            yield return o;
            foreach (var kv in o) { foreach (JsonObject c in AllObjects(kv.Value)) { yield return c; } }
        }
        else if (node is JsonArray a)
        {
            foreach (JsonNode? item in a) { foreach (JsonObject c in AllObjects(item)) { yield return c; } }
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
