using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>
/// A node whose first publication (<c>node.event</c> host stats) is refused UNAVAILABLE reports AwaitingApproval; when
/// the gateway then forwards it an invocation (it only does for an approved surface) the host reports Connected again,
/// and its status file says so (the fleet scenario saw a reconnecting node stay "awaiting approval" while serving).
/// </summary>
public sealed class AwaitingApprovalRecoveryTests
{
    [Fact]
    public async Task A_forwarded_invocation_turns_a_refused_publication_back_into_connected()
    {
        using var dir = new TempDir();
        int events = 0;
        await using var gw = new ScriptedGateway((_, _) => (ScriptedGateway.HelloOk(), false), async (frame, send) =>
        {
            if (frame.Str("type") != "req") { return; }
            string method = frame.Str("method")!;
            JsonObject res = method switch
            {
                "skills.bins" => new JsonObject { ["type"] = "res", ["ok"] = true, ["payload"] = new JsonObject { ["bins"] = new JsonArray() } },
                // What a gateway answers a node it has not (yet) registered as serving: its publication is refused.
                "node.event" => new JsonObject { ["type"] = "res", ["ok"] = false, ["error"] = new JsonObject { ["code"] = "UNAVAILABLE", ["message"] = "node not connected" } },
                _ => new JsonObject { ["type"] = "res", ["ok"] = true, ["payload"] = new JsonObject() },
            };
            res["id"] = frame["id"]!.DeepClone();
            await send(res);
            // The invocation follows the second refused publication, so the first one's AwaitingApproval is reported by then.
            if (method == "node.event" && Interlocked.Increment(ref events) == 2)
            {
                await send(new JsonObject
                {
                    ["type"] = "event",
                    ["event"] = "node.invoke.request",
                    ["payload"] = new JsonObject { ["id"] = "inv-1", ["nodeId"] = "n", ["command"] = "system.which", ["paramsJSON"] = "{\"bins\":[\"sh\"]}" },
                });
            }
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var progress = new StatusCollector(cts, seen => seen[^1].State == NodeConnectionState.Connected && seen.Exists(s => s.State == NodeConnectionState.AwaitingApproval));
        int exit = await new NodeHost(new NodeHostOptions
        {
            StateDirectory = dir.Path,
            Port = gw.Port,
            GatewayToken = "t",
            HostStatsInterval = TimeSpan.FromMilliseconds(100),
        }).RunAsync(progress, cts.Token);

        Assert.Equal(NodeHostExitCodes.Stopped, exit);
        List<NodeHostStatus> seen;
        lock (progress.Seen) { seen = progress.Seen.ToList(); }
        int awaiting = seen.FindIndex(s => s.State == NodeConnectionState.AwaitingApproval);
        Assert.True(awaiting > 0, string.Join(" | ", seen.Select(s => s.State + ": " + s.Message)));
        NodeHostStatus back = seen.Skip(awaiting).First(s => s.State == NodeConnectionState.Connected);
        Assert.Contains("commands are approved", back.Message);
    }
}
