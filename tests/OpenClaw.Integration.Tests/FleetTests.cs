using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>A fleet admin's flow: ten of our hosts, all approved in one pass, all invoked, all tightened remotely.</summary>
[Collection("fleet")]
public sealed class FleetTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private RealGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await RealGateway.StartAsync(autoApproveLocal: false);

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    [Fact]
    public async Task Ten_nodes_are_approved_invoked_and_tightened_from_one_operator_connection()
    {
        var dirs = Enumerable.Range(0, 10).Select(_ => new StateDir()).ToList();
        var nodes = dirs.Select((d, i) => NodeProcess.Start(_gw, d.Path, extra: new[] { "--display-name", $"fleet-{i:00}" })).ToList();
        try
        {
            var ids = new List<string>();
            foreach (NodeProcess n in nodes) { ids.Add((await n.WaitForStateAsync("PairingRequired", Wait)).Str("deviceId")!); }

            await using OperatorClient op = await _gw.OperatorAsync();
            IReadOnlyList<NodeRequestInfo> requests = await op.GetRequestsAsync(default);
            var fleet = requests.Where(r => r.Kind == NodeRequestKind.Device && (r.DisplayName ?? "").StartsWith("fleet-", StringComparison.Ordinal)).ToList();
            Assert.Equal(10, fleet.Count);
            foreach (NodeRequestInfo r in fleet) { await op.ApproveAsync(r, default); }
            foreach (NodeRequestInfo r in fleet)
            {
                NodeRequestInfo? surface = await op.WaitForCommandSurfaceRequestAsync(r.NodeId, Wait, default);
                Assert.NotNull(surface);
                await op.ApproveAsync(surface!, default);
            }
            foreach (NodeProcess n in nodes) { await n.WaitForAsync(s => s.Str("message")!.Contains("approved"), Wait); }

            IReadOnlyList<NodeInfo> listed = await op.GetNodesAsync(default);
            foreach (string id in ids) { Assert.Contains(listed, n => n.NodeId == id && n.ApprovalState == "approved"); }

            JsonNode?[] which = await Task.WhenAll(ids.Select(id => op.InvokeAsync(id, "system.which", new JsonObject { ["bins"] = Json.ToArray(new[] { "sh" }) }, 20000, default)));
            Assert.All(which, w => Assert.NotNull(w.Obj("bins").Str("sh")));

            foreach (string id in ids)
            {
                JsonObject current = await op.GetNodeExecApprovalsAsync(id, default);
                await op.SetNodeExecApprovalsAsync(id, (JsonObject)JsonNode.Parse("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"off\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/usr/bin/echo\"}]}}}")!, current.Str("hash"), default);
            }
            foreach (string id in ids)
            {
                var ex = await Assert.ThrowsAsync<GatewayException>(() => op.InvokeAsync(id, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "id" }), ["agentId"] = "main" }, 20000, default));
                Assert.Contains("allowlist miss", ex.Message);
            }
            // The real CLI sees the same fleet.
            string cli = await _gw.CliAsync("nodes", "list", "--json");
            foreach (string id in ids) { Assert.Contains(id, cli); }
        }
        finally
        {
            foreach (NodeProcess n in nodes) { await n.DisposeAsync(); }
            foreach (StateDir d in dirs) { d.Dispose(); }
        }
    }
}

[CollectionDefinition("fleet")]
public sealed class FleetCollection { }
