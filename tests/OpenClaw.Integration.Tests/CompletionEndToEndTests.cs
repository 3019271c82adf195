using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>Tab-completion candidates (what the module's argument completers offer) from the real gateway, and nothing,
/// within the time budget, once the connection is dead.</summary>
[Collection("manual-pairing")]
public sealed class CompletionEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private RealGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await RealGateway.StartAsync(autoApproveLocal: false);

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    [Fact]
    public async Task Completion_offers_pending_request_ids_and_node_names_then_nothing_once_the_gateway_is_gone()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--display-name", "comp-01" });
        await using var _ = node;
        string deviceId = (await node.WaitForStateAsync("PairingRequired", Wait)).Str("deviceId")!;

        OperatorClient op = await _gw.OperatorAsync();
        try
        {
            NodeRequestInfo device = (await op.GetRequestsAsync(default)).Single(r => r.NodeId == deviceId);
            CompletionCandidate request = Assert.Single(CompletionSource.Requests(op, device.RequestId[..4]), c => c.Text == device.RequestId);
            Assert.Contains("comp-01", request.ToolTip);
            Assert.Empty(CompletionSource.Requests(op, "no-such-request-"));

            // Approve the device and its command surface (as One_pipeline_approves... does), so the node is listed.
            await op.ApproveAsync(device, default);
            NodeRequestInfo? surface = await op.WaitForCommandSurfaceRequestAsync(deviceId, Wait, default);
            Assert.NotNull(surface);
            await op.ApproveAsync(surface!, default);
            // The node list catches up with the approval within moments: poll (bounded) for the name.
            var deadline = Stopwatch.StartNew();
            while (!CompletionSource.Nodes(op, "COMP").Any(c => c.Text == "comp-01") && deadline.Elapsed < Wait) { await Task.Delay(200); }
            Assert.Contains(CompletionSource.Nodes(op, "comp"), c => c.Text == "comp-01");
            Assert.Contains(CompletionSource.Nodes(op, deviceId[..8]), c => c.Text == deviceId);
            Assert.Single(CompletionSource.Nodes(op, "", max: 1));

            await _gw.StopAsync();
            var sw = Stopwatch.StartNew();
            Assert.Empty(CompletionSource.Nodes(op, ""));
            Assert.Empty(CompletionSource.Requests(op, ""));
            sw.Stop();
            // Two lookups, each bounded by the 2 s budget.
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"completion on a dead connection took {sw.Elapsed}");
        }
        finally
        {
            try { await op.DisposeAsync(); } catch (GatewayException) { }
        }
    }
}
