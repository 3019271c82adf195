using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;

namespace OpenClaw.NodeHost;

/// <summary>
/// <c>openclaw-node nodes pending|approve|reject|list|remove|rename|invoke</c>: the gateway-side operations of the
/// OpenClaw CLI's <c>openclaw nodes</c> / <c>devices</c> (spec §12.3) over one operator connection per run. Pending
/// requests of both kinds (device pairing, command surface) are handled together. Every subcommand takes
/// <c>--json</c>; exit codes: 0 done, 1 failed (per-item failures included), 2 usage, 77 credentials refused,
/// 78 operator state unusable.
/// </summary>
internal static class OperatorCommands
{
    public static Command Create(Option<string?> stateDir, Option<bool> json, Option<string?> host, Option<int?> port, Option<bool> tls, Option<string?> fingerprint)
    {
        var useDevice = new Option<bool>("--use-device-identity")
        {
            Description = "Present this operator's own device identity (kept under <state-dir>/operator) even on a loopback gateway. Remote gateways always get it.",
        };
        Task<int> Op(ParseResult pr, CancellationToken ct, Func<OperatorClient, CancellationToken, Task<int>> action) =>
            Program.OperatorAsync(pr.GetValue(host), pr.GetValue(port), pr.GetValue(tls), pr.GetValue(fingerprint), ct, action,
                pr.GetValue(stateDir), pr.GetValue(useDevice));
        void Common(Command c)
        {
            foreach (Option o in new Option[] { host, port, tls, fingerprint, stateDir, useDevice, json }) { c.Options.Add(o); }
        }

        var pending = new Command("pending", "List pending requests: device pairing and command-surface approval.");
        pending.SetAction((pr, ct) => Op(pr, ct, (op, c) => ListRequestsAsync(op, pr.GetValue(json), c)));

        var all = new Option<bool>("--all") { Description = "Every pending request." };
        var requestId = new Argument<string?>("request-id") { Description = "Pairing request id (device or command surface).", Arity = ArgumentArity.ZeroOrOne };
        var surfaceToo = new Option<bool>("--include-command-surface") { Description = "After approving a device, wait for the node's command-surface request and approve it too." };
        var waitSec = new Option<int>("--timeout-sec") { Description = "How long --include-command-surface waits for the node (default 60).", DefaultValueFactory = _ => 60 };
        var approve = new Command("approve", "Approve a pending request by id, or every one with --all; --platform, --name and --allowed-command filter them and refuse requests asking for more than a node.") { requestId, all, surfaceToo, waitSec };
        EnrollCommands.FilterOptions filters = EnrollCommands.AddFilters(approve);
        approve.SetAction((pr, ct) => Op(pr, ct,
            (op, c) => EnrollCommands.ApproveAsync(op, pr.GetValue(requestId), pr.GetValue(all), filters.Get(pr), pr.GetValue(surfaceToo), pr.GetValue(waitSec), pr.GetValue(json), c)));
        var reject = new Command("reject", "Reject a pending request by id, or every one with --all.") { requestId, all };
        reject.SetAction((pr, ct) => Op(pr, ct,
            (op, c) => RejectAsync(op, pr.GetValue(requestId), pr.GetValue(all), pr.GetValue(json), c)));

        var list = new Command("list", "List the gateway's nodes: paired and pending, with connection and approval state.");
        list.SetAction((pr, ct) => Op(pr, ct, (op, c) => ListNodesAsync(op, pr.GetValue(json), c)));

        var selector = new Argument<string>("node") { Description = "Node id, display name, remote IP, or id prefix (6+ characters)." };
        var remove = new Command("remove", "Remove a node from the gateway (revokes its pairing; the node is disconnected).") { selector };
        remove.SetAction((pr, ct) => Op(pr, ct, async (op, c) =>
        {
            NodeInfo n = OperatorOperations.ResolveNode(await op.GetNodesAsync(c).ConfigureAwait(false), pr.GetValue(selector)!);
            await op.RemoveNodeAsync(n.NodeId, c).ConfigureAwait(false);
            Write(pr.GetValue(json), new JsonObject { ["action"] = "remove", ["ok"] = true, ["nodeId"] = n.NodeId, ["displayName"] = n.DisplayName },
                $"Removed {n.DisplayName ?? n.NodeId} ({n.NodeId}).");
            return 0;
        }));
        var newName = new Argument<string>("new-name") { Description = "The new display name." };
        var rename = new Command("rename", "Set the display name the gateway shows for a node.") { selector, newName };
        rename.SetAction((pr, ct) => Op(pr, ct, async (op, c) =>
        {
            string name = pr.GetValue(newName)!;
            if (string.IsNullOrWhiteSpace(name)) { Console.Error.WriteLine("The new display name is empty; give a name."); return NodeHostExitCodes.Usage; }
            NodeInfo n = OperatorOperations.ResolveNode(await op.GetNodesAsync(c).ConfigureAwait(false), pr.GetValue(selector)!);
            await op.RenameNodeAsync(n.NodeId, name, c).ConfigureAwait(false);
            Write(pr.GetValue(json), new JsonObject { ["action"] = "rename", ["ok"] = true, ["nodeId"] = n.NodeId, ["displayName"] = name },
                $"Renamed {n.NodeId} to '{name}'.");
            return 0;
        }));

        var node = new Option<string>("--node") { Description = "Node id, id prefix (6+ characters), remote IP or display name.", Required = true };
        var command = new Option<string>("--command") { Description = "Command to invoke, e.g. system.which or system.run.", Required = true };
        var paramsJson = new Option<string?>("--params") { Description = "Command params as a JSON object, e.g. '{\"command\":[\"uname\",\"-a\"]}'." };
        var timeoutMs = new Option<int>("--timeout-ms") { Description = "Invoke deadline in milliseconds (default 30000).", DefaultValueFactory = _ => 30000 };
        var invoke = new Command("invoke", "Invoke a command on a node through the gateway and print the node's JSON payload.") { node, command, paramsJson, timeoutMs };
        invoke.SetAction((pr, ct) =>
        {
            JsonObject? parameters = null;
            if (pr.GetValue(paramsJson) is string pj && (parameters = Json.ParseOrNull(pj) as JsonObject) is null)
            {
                Console.Error.WriteLine("--params must be a JSON object, e.g. '{\"bins\":[\"sh\"]}'.");
                return Task.FromResult(NodeHostExitCodes.Usage);
            }
            if (pr.GetValue(timeoutMs) is int t && (t < 1 || t > 86_400_000))
            {
                Console.Error.WriteLine("--timeout-ms must be between 1 and 86400000.");
                return Task.FromResult(NodeHostExitCodes.Usage);
            }
            return Op(pr, ct, async (op, c) =>
            {
                NodeInfo target = OperatorOperations.ResolveNode(await op.GetNodesAsync(c).ConfigureAwait(false), pr.GetValue(node)!);
                JsonNode? payload = await op.InvokeAsync(target.NodeId, pr.GetValue(command)!, parameters, pr.GetValue(timeoutMs), c).ConfigureAwait(false);
                Console.Out.WriteLine(payload is null ? "null" : Json.Indented(payload));
                return 0;
            });
        });

        var nodes = new Command("nodes", "Gateway-side node management (an operator connection; token from " + Program.TokenVariable + ").")
        {
            pending, approve, reject, list, remove, rename, invoke, EnrollCommands.CreateSetupCode(Op, json),
        };
        foreach (Command c in nodes.Subcommands) { Common(c); }
        return nodes;
    }

    private static void Write(bool json, JsonObject obj, string text) => Console.Out.WriteLine(json ? Json.Serialize(obj) : text);

    private static async Task<int> ListRequestsAsync(OperatorClient op, bool json, CancellationToken ct)
    {
        IReadOnlyList<NodeRequestInfo> list = await op.GetRequestsAsync(ct).ConfigureAwait(false);
        if (json)
        {
            var arr = new JsonArray();
            foreach (NodeRequestInfo r in list) { arr.Add((JsonNode)ToJson(r)); }
            Console.Out.WriteLine(Json.Indented(arr));
            return 0;
        }
        if (list.Count == 0) { Console.Out.WriteLine("No pending requests."); return 0; }
        Console.Out.WriteLine($"{"KIND",-14} {"REQUEST",-38} {"NAME",-24} {"PLATFORM",-10} NODE");
        foreach (NodeRequestInfo r in list)
        {
            Console.Out.WriteLine($"{(r.Kind == NodeRequestKind.Device ? "device" : "commandSurface"),-14} {r.RequestId,-38} {r.DisplayName ?? "",-24} {r.Platform ?? "",-10} {r.NodeId}");
        }
        return 0;
    }

    private static async Task<int> ListNodesAsync(OperatorClient op, bool json, CancellationToken ct)
    {
        IReadOnlyList<NodeInfo> nodes = await op.GetNodesAsync(ct).ConfigureAwait(false);
        if (json)
        {
            var arr = new JsonArray();
            foreach (NodeInfo n in nodes) { arr.Add((JsonNode)ToJson(n)); }
            Console.Out.WriteLine(Json.Indented(arr));
            return 0;
        }
        if (nodes.Count == 0) { Console.Out.WriteLine("No nodes."); return 0; }
        Console.Out.WriteLine($"{"NAME",-24} {"NODE",-14} {"CONNECTED",-9} {"APPROVAL",-18} {"PLATFORM",-10} VERSION");
        foreach (NodeInfo n in nodes)
        {
            Console.Out.WriteLine($"{n.DisplayName ?? "",-24} {n.NodeId.Substring(0, Math.Min(12, n.NodeId.Length)),-14} {(n.Connected ? "yes" : "no"),-9} {n.ApprovalState ?? "",-18} {n.Platform ?? "",-10} {n.Version}");
        }
        return 0;
    }

    private static string? Iso(DateTimeOffset? t) => t?.ToString("o", CultureInfo.InvariantCulture);

    private static JsonObject ToJson(NodeInfo n) => new()
    {
        ["nodeId"] = n.NodeId,
        ["displayName"] = n.DisplayName,
        ["platform"] = n.Platform,
        ["deviceFamily"] = n.DeviceFamily,
        ["version"] = n.Version,
        ["connected"] = n.Connected,
        ["paired"] = n.Paired,
        ["approvalState"] = n.ApprovalState,
        ["commands"] = Json.ToArray(n.Commands),
        ["caps"] = Json.ToArray(n.Caps),
        ["pendingRequestId"] = n.PendingRequestId,
        ["pendingCommands"] = Json.ToArray(n.PendingCommands),
        ["remoteIp"] = n.RemoteIp,
        ["lastSeen"] = Iso(n.LastSeen),
        ["connectedAt"] = Iso(n.ConnectedAt),
        ["approvedAt"] = Iso(n.ApprovedAt),
    };

    private static JsonObject ToJson(NodeRequestInfo r) => new()
    {
        ["kind"] = r.Kind == NodeRequestKind.Device ? "device" : "commandSurface",
        ["requestId"] = r.RequestId,
        ["nodeId"] = r.NodeId,
        ["displayName"] = r.DisplayName,
        ["platform"] = r.Platform,
        ["version"] = r.Version,
        ["role"] = r.Role,
        ["commands"] = Json.ToArray(r.Commands),
        ["caps"] = Json.ToArray(r.Caps),
        ["requiredScopes"] = Json.ToArray(r.RequiredScopes),
        ["remoteAddress"] = r.RemoteAddress,
        ["requestedAt"] = Iso(r.RequestedAt),
    };

    // 'nodes reject'; approving (with filters and command surfaces) is EnrollCommands' job.
    private static async Task<int> RejectAsync(OperatorClient op, string? requestId, bool all, bool json, CancellationToken ct)
    {
        if ((requestId is null) == !all)
        {
            Console.Error.WriteLine("Give either a request id or --all (list them with 'openclaw-node nodes pending').");
            return NodeHostExitCodes.Usage;
        }
        IReadOnlyList<NodeRequestInfo> pending = await op.GetRequestsAsync(ct).ConfigureAwait(false);
        var targets = pending.Where(r => all || string.Equals(r.RequestId, requestId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (targets.Count == 0 && !all)
        {
            Console.Error.WriteLine($"No pending request has the id '{requestId}'. List them with 'openclaw-node nodes pending'.");
            return NodeHostExitCodes.Failure;
        }
        int failed = 0;
        var results = new JsonArray();
        foreach (NodeRequestInfo r in targets)
        {
            JsonObject o = ToJson(r);
            try
            {
                await op.DenyAsync(r, ct).ConfigureAwait(false);
                o["ok"] = true;
                if (!json) { Console.Out.WriteLine($"Rejected {r.Kind} request {r.RequestId} for {r.DisplayName ?? r.NodeId}."); }
            }
            catch (GatewayException ex)
            {
                failed++;
                o["ok"] = false;
                o["error"] = ex.Message;
                o["errorId"] = ex.ErrorId;
                Console.Error.WriteLine($"Could not handle {r.RequestId}: {ex.Message}");
            }
            results.Add((JsonNode)o);
        }
        if (json) { Console.Out.WriteLine(Json.Indented(results)); }
        return failed == 0 ? 0 : NodeHostExitCodes.Failure;
    }
}
