using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;

namespace OpenClaw.Node.Operator;

/// <summary>Typed operator operations over one <see cref="OperatorClient"/> (spec §12): requests, nodes, approvals.</summary>
public static class OperatorOperations
{
    /// <summary>Pending device-pairing and command-surface requests, device requests first, each list oldest first.</summary>
    public static async Task<IReadOnlyList<NodeRequestInfo>> GetRequestsAsync(this OperatorClient op, CancellationToken ct)
    {
        var list = new List<NodeRequestInfo>();
        JsonObject devices = await op.ListDevicePairingAsync(ct).ConfigureAwait(false);
        list.AddRange((devices.Arr("pending") ?? new JsonArray()).Select(NodeRequestInfo.FromDevice).OrderBy(r => r.RequestedAt));
        JsonObject surfaces = await op.ListNodePairingAsync(ct).ConfigureAwait(false);
        list.AddRange((surfaces.Arr("pending") ?? new JsonArray()).Select(NodeRequestInfo.FromNode).OrderBy(r => r.RequestedAt));
        return list;
    }

    /// <summary>Approves a request of either kind.</summary>
    /// <exception cref="GatewayException">Unknown request (NotFound), missing scope (Forbidden), or refused.</exception>
    public static async Task ApproveAsync(this OperatorClient op, NodeRequestInfo request, CancellationToken ct)
    {
        try
        {
            if (request.Kind == NodeRequestKind.Device) { await op.ApproveDevicePairingAsync(request.RequestId, ct).ConfigureAwait(false); }
            else { await op.ApproveNodePairingAsync(request.RequestId, ct).ConfigureAwait(false); }
        }
        catch (GatewayException ex) when (ex.Message.IndexOf("unknown requestId", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            throw new GatewayException(FailureKind.NotFound, "NodeRequestNotFound", $"No pending request has the id '{request.RequestId}'; it may have been handled or expired.", ex);
        }
    }

    /// <summary>Rejects a request of either kind.</summary>
    public static async Task DenyAsync(this OperatorClient op, NodeRequestInfo request, CancellationToken ct)
    {
        string method = request.Kind == NodeRequestKind.Device ? "device.pair.reject" : "node.pair.reject";
        try
        {
            await op.CallAsync(method, new JsonObject { ["requestId"] = request.RequestId }, null, ct).ConfigureAwait(false);
        }
        catch (GatewayException ex) when (ex.Message.IndexOf("unknown requestId", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            throw new GatewayException(FailureKind.NotFound, "NodeRequestNotFound", $"No pending request has the id '{request.RequestId}'; it may have been handled or expired.", ex);
        }
    }

    /// <summary>
    /// After a device approval: waits (polling <c>node.pair.list</c> every 250 ms) until the node reconnects and its
    /// command-surface request appears, and returns it; null after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<NodeRequestInfo?> WaitForCommandSurfaceRequestAsync(this OperatorClient op, string nodeId, TimeSpan timeout, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            JsonObject surfaces = await op.ListNodePairingAsync(ct).ConfigureAwait(false);
            NodeRequestInfo? hit = (surfaces.Arr("pending") ?? new JsonArray()).Select(NodeRequestInfo.FromNode)
                .FirstOrDefault(r => string.Equals(r.NodeId, nodeId, StringComparison.OrdinalIgnoreCase));
            if (hit is not null) { return hit; }
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>All nodes the gateway knows (<c>node.list</c>).</summary>
    public static async Task<IReadOnlyList<NodeInfo>> GetNodesAsync(this OperatorClient op, CancellationToken ct)
    {
        JsonObject list = await op.ListNodesAsync(ct).ConfigureAwait(false);
        return (list.Arr("nodes") ?? new JsonArray()).Select(NodeInfo.From).ToList();
    }

    /// <summary>
    /// Resolves a node selector as the OpenClaw CLI does (spec §12.3): exact id, exact remote IP, display name
    /// (case-insensitive), or an id prefix of 6+ characters; connected nodes win ties.
    /// </summary>
    /// <exception cref="GatewayException">NotFound, or Conflict when several nodes match (the message lists them).</exception>
    public static NodeInfo ResolveNode(IReadOnlyList<NodeInfo> nodes, string selector)
    {
        string s = selector.Trim();
        NodeInfo? exact = nodes.FirstOrDefault(n => string.Equals(n.NodeId, s, StringComparison.OrdinalIgnoreCase))
            ?? nodes.FirstOrDefault(n => n.RemoteIp == s);
        if (exact is not null) { return exact; }
        var byName = nodes.Where(n => string.Equals(n.DisplayName, s, StringComparison.OrdinalIgnoreCase)).ToList();
        var candidates = byName.Count > 0 ? byName
            : s.Length >= 6 ? nodes.Where(n => n.NodeId.StartsWith(s, StringComparison.OrdinalIgnoreCase)).ToList() : new List<NodeInfo>();
        if (candidates.Count > 1 && candidates.Count(n => n.Connected) == 1) { return candidates.Single(n => n.Connected); }
        if (candidates.Count == 1) { return candidates[0]; }
        if (candidates.Count == 0) { throw new GatewayException(FailureKind.NotFound, "NodeNotFound", $"No node matches '{s}'. List the gateway's nodes with Get-OpenClawNode or 'openclaw-node nodes list'."); }
        throw new GatewayException(FailureKind.Conflict, "NodeAmbiguous",
            $"'{s}' matches {candidates.Count} nodes ({string.Join(", ", candidates.Select(n => (n.DisplayName ?? "?") + " " + n.NodeId.Substring(0, Math.Min(12, n.NodeId.Length))))}); use the node id.");
    }

    /// <summary>
    /// Runs <paramref name="argv"/> on a node with <c>system.run</c> through <c>node.invoke</c> (no shell: argv[0] is the
    /// program). <paramref name="timeoutMs"/> is the command's own timeout on the node; the invoke deadline allows 5 s more.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="argv"/> is empty or <paramref name="timeoutMs"/> is not positive.</exception>
    /// <exception cref="GatewayException">The gateway or node refused the call (for example <c>SYSTEM_RUN_DENIED</c> by exec approvals).</exception>
    public static async Task<SystemRunResult> RunAsync(this OperatorClient op, string nodeId, IReadOnlyList<string> argv, string? cwd,
        IReadOnlyDictionary<string, string>? env, int timeoutMs, CancellationToken ct)
    {
        if (argv.Count == 0 || string.IsNullOrEmpty(argv[0])) { throw new ArgumentException("system.run needs a program: give at least one argument, e.g. 'uname','-a'.", nameof(argv)); }
        if (timeoutMs <= 0) { throw new ArgumentException("The timeout must be a positive number of milliseconds.", nameof(timeoutMs)); }
        var p = new JsonObject { ["command"] = Json.ToArray(argv), ["timeoutMs"] = timeoutMs };
        if (cwd is not null) { p["cwd"] = cwd; }
        if (env is { Count: > 0 })
        {
            var e = new JsonObject();
            foreach (KeyValuePair<string, string> kv in env) { e[kv.Key] = kv.Value; }
            p["env"] = e;
        }
        JsonNode? payload = await op.InvokeAsync(nodeId, "system.run", p, timeoutMs + 5000, ct).ConfigureAwait(false);
        return SystemRunResult.From(payload);
    }

    /// <summary><c>node.pair.remove</c>: revokes the node (its socket is closed with 4001).</summary>
    public static Task RemoveNodeAsync(this OperatorClient op, string nodeId, CancellationToken ct) =>
        op.CallAsync("node.pair.remove", new JsonObject { ["nodeId"] = nodeId }, null, ct);

    /// <summary><c>node.rename</c>: sets the display name the gateway shows.</summary>
    public static Task RenameNodeAsync(this OperatorClient op, string nodeId, string displayName, CancellationToken ct) =>
        op.CallAsync("node.rename", new JsonObject { ["nodeId"] = nodeId, ["displayName"] = displayName }, null, ct);

    /// <summary><c>exec.approvals.node.get</c>: the node's exec-approvals snapshot <c>{path, exists, hash, file}</c>.</summary>
    public static async Task<JsonObject> GetNodeExecApprovalsAsync(this OperatorClient op, string nodeId, CancellationToken ct) =>
        await op.CallAsync("exec.approvals.node.get", new JsonObject { ["nodeId"] = nodeId }, TimeSpan.FromSeconds(35), ct).ConfigureAwait(false) as JsonObject ?? new JsonObject();

    /// <summary><c>exec.approvals.node.set</c> with compare-and-swap on <paramref name="baseHash"/>; returns the new snapshot.</summary>
    public static async Task<JsonObject> SetNodeExecApprovalsAsync(this OperatorClient op, string nodeId, JsonObject file, string? baseHash, CancellationToken ct)
    {
        var p = new JsonObject { ["nodeId"] = nodeId, ["file"] = file };
        if (baseHash is not null) { p["baseHash"] = baseHash; }
        return await op.CallAsync("exec.approvals.node.set", p, TimeSpan.FromSeconds(35), ct).ConfigureAwait(false) as JsonObject ?? new JsonObject();
    }
}

/// <summary>Edits a node's exec approvals through the gateway (<c>exec.approvals.node.get/set</c>).</summary>
public static class RemoteExecApprovals
{
    /// <summary>
    /// Reads the node's policy, applies <paramref name="change"/>, and writes it back with the read hash as base; on a
    /// concurrent change it reads again and retries (up to 3 attempts), so no edit is lost or half-applied.
    /// </summary>
    /// <returns>The node's new snapshot <c>{path, exists, hash, file}</c>, or the current one when the change is empty.</returns>
    /// <exception cref="ArgumentException">An invalid change (see <see cref="Approvals.ExecApprovalsEditor.Validate"/>).</exception>
    /// <exception cref="GatewayException">The node refused (for example its remote-edit lock) or the policy kept changing.</exception>
    public static async Task<JsonObject> EditAsync(this OperatorClient op, string nodeId, Approvals.ExecApprovalChange change, CancellationToken ct)
    {
        Approvals.ExecApprovalsEditor.Validate(change);
        for (int attempt = 1; ; attempt++)
        {
            JsonObject current = await op.GetNodeExecApprovalsAsync(nodeId, ct).ConfigureAwait(false);
            if (Approvals.ExecApprovalsEditor.IsEmpty(change)) { return current; }
            Approvals.ExecApprovalsDocument doc;
            try { doc = Approvals.ExecApprovalsDocument.FromJson(current["file"], "the node's exec approvals"); }
            catch (Approvals.ExecApprovalsFormatException ex)
            {
                throw new GatewayException(FailureKind.Protocol, "InvalidNodeExecApprovals", ex.Message, ex);
            }
            JsonObject file = Approvals.ExecApprovalsEditor.ApplyTo(doc, change).ToJson(includeSocketToken: false);
            try
            {
                return await op.SetNodeExecApprovalsAsync(nodeId, file, current.Str("hash"), ct).ConfigureAwait(false);
            }
            catch (GatewayException ex) when (attempt < 3 && ex.Message.IndexOf("reload and retry", StringComparison.Ordinal) >= 0)
            {
                // Someone else changed the policy between our read and write: read again and re-apply.
            }
        }
    }
}
