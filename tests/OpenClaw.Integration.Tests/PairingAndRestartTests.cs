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

/// <summary>A gateway that does not approve loopback devices silently, so device pairing must be approved by an operator.</summary>
[Collection("manual-pairing")]
public sealed class ManualPairingTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private RealGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await RealGateway.StartAsync(autoApproveLocal: false);

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    [Fact]
    public async Task Pairing_request_appears_and_the_node_comes_up_by_itself_once_approved()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--display-name", "manual-pair" });
        await using var _ = node;
        JsonObject pending = await node.WaitForStateAsync("PairingRequired", Wait);
        string requestId = pending.Str("pairingRequestId")!;
        string deviceId = pending.Str("deviceId")!;
        Assert.False(string.IsNullOrEmpty(requestId));
        Assert.Contains(requestId, pending.Str("message"));

        // The real CLI sees the same pending device request.
        string devices = await _gw.CliAsync("devices", "list", "--json");
        Assert.Contains(requestId, devices);
        Assert.Contains(deviceId, devices);

        int before = node.Count;
        await using (OperatorClient op = await _gw.OperatorAsync())
        {
            JsonObject list = await op.ListDevicePairingAsync(default);
            JsonNode req = list.Arr("pending")!.Single(r => r.Str("requestId") == requestId)!;
            Assert.Equal(deviceId, req.Str("deviceId"));
            Assert.Equal("node", req.Str("role"));
            await op.ApproveDevicePairingAsync(requestId, default);
        }
        // No restart: the node retries, gets hello-ok and a device token, then waits for the command surface.
        await node.WaitForStateAsync("Connected", Wait, before);
        await node.WaitForStateAsync("AwaitingApproval", Wait, before);
        JsonObject config = (JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("node.json")))!;
        Assert.False(string.IsNullOrEmpty(config.Str("token")));
        Assert.False(node.HasExited);

        await using (OperatorClient op = await _gw.OperatorAsync())
        {
            string surfaceId = await node.ApproveCommandSurfaceAsync(op, deviceId, Wait);
            Assert.NotEqual(requestId, surfaceId);
            JsonNode? which = await op.InvokeAsync(deviceId, "system.which", new JsonObject { ["bins"] = Json.ToArray(new[] { "sh" }) }, 15000, default);
            Assert.NotNull(which.Obj("bins").Str("sh"));
        }
    }
}

[CollectionDefinition("manual-pairing")]
public sealed class ManualPairingCollection { }

/// <summary>The gateway restarts under a running node.</summary>
[Collection("restart")]
public sealed class GatewayRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private RealGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await RealGateway.StartAsync();

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    [Fact]
    public async Task Node_comes_back_after_a_gateway_restart_with_the_same_identity_and_no_reapproval()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await EndToEndTests.StartApprovedAsync(_gw, dir, "restart-node");
        await using var _ = node;
        string token = ((JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("node.json")))!).Str("token")!;

        OperatorClient session = await _gw.OperatorAsync();
        int before = node.Count;
        await _gw.StopAsync();
        JsonObject dropped = await node.WaitForStateAsync("Reconnecting", Wait, before);
        Assert.Contains("1012", dropped.Str("message"));

        // An operator session that spans the restart: calls fail with ConnectionClosed (nothing half-applied), and a
        // reconnect while the gateway is down fails as unreachable; once it is back, the same session reconnects.
        await Poll.Until(() => session.IsClosed, Wait);
        var closed = await Assert.ThrowsAsync<GatewayException>(() => session.RenameNodeAsync(deviceId, "should-not-apply", default));
        Assert.Equal("ConnectionClosed", closed.ErrorId);
        var down = await Assert.ThrowsAsync<GatewayException>(() => session.ReconnectAsync(null, default));
        Assert.Equal(FailureKind.Unreachable, down.Kind);
        await _gw.StartAgainAsync();
        JsonObject back = await node.WaitForStateAsync("Connected", Wait, before);
        Assert.Equal(deviceId, back.Str("deviceId"));

        await using OperatorClient op = await session.ReconnectAsync(null, default);
        await session.DisposeAsync();
        Assert.Equal("restart-node", OperatorOperations.ResolveNode(await op.GetNodesAsync(default), deviceId).DisplayName);
        JsonObject pairing = await op.ListNodePairingAsync(default);
        Assert.DoesNotContain(pairing.Arr("pending") ?? new JsonArray(), r => r.Str("nodeId") == deviceId);
        JsonNode? run = await op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "echo", "back" }) }, 15000, default);
        Assert.Equal("back\n", run.Str("stdout"));
        Assert.Equal(token, ((JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("node.json")))!).Str("token"));
        Assert.DoesNotContain(node.Statuses.Skip(before), s => s.Str("state") == "AwaitingApproval" || s.Str("state") == "PairingRequired");
    }
}

[CollectionDefinition("restart")]
public sealed class RestartCollection { }
