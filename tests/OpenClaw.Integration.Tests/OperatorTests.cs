using System;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>Operator operations (what the cmdlets and openclaw-node call) against the real gateway.</summary>
[Collection("manual-pairing")]
public sealed class OperatorTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private RealGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await RealGateway.StartAsync(autoApproveLocal: false);

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    [Fact]
    public async Task One_pipeline_approves_the_device_then_the_command_surface_and_manages_the_node()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--display-name", "fleet-01" });
        await using var _ = node;
        string deviceId = (await node.WaitForStateAsync("PairingRequired", Wait)).Str("deviceId")!;

        await using OperatorClient op = await _gw.OperatorAsync();
        var requests = await op.GetRequestsAsync(default);
        NodeRequestInfo device = requests.Single(r => r.NodeId == deviceId);
        Assert.Equal(NodeRequestKind.Device, device.Kind);
        Assert.Equal("fleet-01", device.DisplayName);
        Assert.Equal("linux", device.Platform);
        Assert.Equal("node", device.Role);
        Assert.NotNull(device.RequestedAt);

        // Approve the device, then wait for the command surface and approve it: no restart in between.
        await op.ApproveAsync(device, default);
        NodeRequestInfo? surface = await op.WaitForCommandSurfaceRequestAsync(deviceId, Wait, default);
        Assert.NotNull(surface);
        Assert.Equal(NodeRequestKind.CommandSurface, surface!.Kind);
        Assert.Contains("system.run", surface.Commands);
        Assert.Contains("operator.admin", surface.RequiredScopes);
        await op.ApproveAsync(surface, default);
        await node.WaitForAsync(s => s.Str("message")!.Contains("approved"), Wait);

        // The gateway's presence view can trail the approval event by a moment: wait (bounded) for it to say connected.
        NodeInfo listed = OperatorOperations.ResolveNode(await op.GetNodesAsync(default), "fleet-01");
        for (int i = 0; i < 100 && !listed.Connected; i++)
        {
            await Task.Delay(100);
            listed = OperatorOperations.ResolveNode(await op.GetNodesAsync(default), "fleet-01");
        }
        Assert.Equal(deviceId, listed.NodeId);
        Assert.True(listed.Connected, (await op.ListNodesAsync(default)).ToJsonString());
        Assert.Equal("approved", listed.ApprovalState);
        Assert.Contains("system.which", listed.Commands);

        await op.RenameNodeAsync(deviceId, "fleet-01-renamed", default);
        Assert.Equal("fleet-01-renamed", OperatorOperations.ResolveNode(await op.GetNodesAsync(default), deviceId).DisplayName);

        JsonObject approvals = await op.GetNodeExecApprovalsAsync(deviceId, default);
        JsonObject updated = await op.SetNodeExecApprovalsAsync(deviceId, (JsonObject)JsonNode.Parse("{\"version\":1,\"defaults\":{\"security\":\"deny\"}}")!, approvals.Str("hash"), default);
        Assert.NotEqual(approvals.Str("hash"), updated.Str("hash"));
        var denied = await Assert.ThrowsAsync<GatewayException>(() => op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "true" }) }, 15000, default));
        Assert.Contains("security=deny", denied.Message);

        int before = node.Count;
        await op.RemoveNodeAsync(deviceId, default);
        await node.WaitForStateAsync("PairingRequired", Wait, before);
        Assert.DoesNotContain(await op.GetNodesAsync(default), n => n.NodeId == deviceId && n.Paired);
    }

    [Fact]
    public async Task Denied_and_unknown_requests_are_reported_per_item()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--display-name", "reject-me" });
        await using var _ = node;
        string deviceId = (await node.WaitForStateAsync("PairingRequired", Wait)).Str("deviceId")!;
        await using OperatorClient op = await _gw.OperatorAsync();
        NodeRequestInfo device = (await op.GetRequestsAsync(default)).Single(r => r.NodeId == deviceId);
        await op.DenyAsync(device, default);
        Assert.DoesNotContain(await op.GetRequestsAsync(default), r => r.RequestId == device.RequestId);
        var gone = await Assert.ThrowsAsync<GatewayException>(() => op.ApproveAsync(device, default));
        Assert.Equal(FailureKind.NotFound, gone.Kind);
        Assert.Equal("NodeRequestNotFound", gone.ErrorId);
        // The node keeps asking: a fresh request appears (the rejected one is not reused).
        int before = node.Count;
        JsonObject again = await node.WaitForAsync(s => s.Str("state") == "PairingRequired" && s.Str("pairingRequestId") != device.RequestId, Wait, before);
        Assert.NotEqual(device.RequestId, again.Str("pairingRequestId"));
    }
}
