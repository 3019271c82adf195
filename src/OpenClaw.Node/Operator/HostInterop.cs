using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Approvals;

namespace OpenClaw.Node.Operator;

/// <summary>
/// Operator operations for hosts whose own code must not name a dependency type (System.Text.Json, BouncyCastle,
/// Polly, ValueTask, IAsyncDisposable): the PowerShell cmdlets. Their assembly loads in PowerShell's load context,
/// while the engine and its dependencies load in an isolated one (STYLE.md section 12), so a <see cref="JsonNode"/>
/// or <see cref="ValueTask"/> in the cmdlets' IL would bind against whatever version PowerShell happens to carry.
/// JSON crosses this boundary as a plain CLR graph: objects as <see cref="OrderedDictionary"/> (ordinal keys, wire
/// order), arrays as <c>object?[]</c>, strings, <see cref="bool"/>, <see cref="long"/> (integral numbers that fit),
/// <see cref="double"/> (other numbers) and <see langword="null"/>.
/// </summary>
public static class HostInterop
{
    /// <summary>Closes <paramref name="client"/> (the synchronous face of <see cref="OperatorClient.DisposeAsync"/>).</summary>
    /// <exception cref="Protocol.GatewayException">Closing failed; the connection is unusable either way.</exception>
    public static Task CloseAsync(OperatorClient client)
    {
        if (client is null) { throw new ArgumentNullException(nameof(client)); }
        return client.DisposeAsync().AsTask();
    }

    /// <summary>A node's exec-approvals policy through the gateway (<c>exec.approvals.node.get</c>) as a snapshot.</summary>
    /// <exception cref="Protocol.GatewayException">The gateway or node refused or failed the call.</exception>
    public static async Task<ExecApprovalsSnapshot> GetNodeExecApprovalsAsync(OperatorClient client, string nodeId, CancellationToken ct) =>
        SnapshotFromRemote(await client.GetNodeExecApprovalsAsync(nodeId, ct).ConfigureAwait(false));

    /// <summary>The node that <paramref name="selector"/> names (id, display name or id prefix; see
    /// <see cref="OperatorOperations.ResolveNode"/>) among the gateway's nodes.</summary>
    /// <exception cref="Protocol.GatewayException">The gateway failed the call, or no single node matches.</exception>
    public static async Task<NodeInfo> ResolveNodeAsync(OperatorClient client, string selector, CancellationToken ct) =>
        OperatorOperations.ResolveNode(await client.GetNodesAsync(ct).ConfigureAwait(false), selector);

    /// <summary><see cref="GetNodeExecApprovalsAsync"/> for the node that <paramref name="selector"/> names.</summary>
    /// <exception cref="Protocol.GatewayException">The gateway or node refused or failed the call, or no single node matches.</exception>
    public static async Task<ExecApprovalsSnapshot> GetNodeExecApprovalsBySelectorAsync(OperatorClient client, string selector, CancellationToken ct)
    {
        NodeInfo node = await ResolveNodeAsync(client, selector, ct).ConfigureAwait(false);
        return await GetNodeExecApprovalsAsync(client, node.NodeId, ct).ConfigureAwait(false);
    }

    /// <summary>Applies <paramref name="change"/> to a node's policy through the gateway (compare-and-swap with retry, see
    /// <see cref="RemoteExecApprovals.EditAsync"/>) and returns the node's new snapshot.</summary>
    /// <exception cref="ArgumentException"><paramref name="change"/> is invalid.</exception>
    /// <exception cref="Protocol.GatewayException">The gateway or node refused or failed the call.</exception>
    public static async Task<ExecApprovalsSnapshot> EditNodeExecApprovalsAsync(OperatorClient client, string nodeId, ExecApprovalChange change, CancellationToken ct) =>
        SnapshotFromRemote(await RemoteExecApprovals.EditAsync(client, nodeId, change, ct).ConfigureAwait(false));

    /// <summary>Builds the snapshot a node returned through <c>exec.approvals.node.get/set</c> (<c>{path, exists, hash,
    /// file}</c>); an unparseable <c>file</c> gives a snapshot with <see cref="ExecApprovalsSnapshot.Error"/> set.</summary>
    public static ExecApprovalsSnapshot SnapshotFromRemote(JsonObject snap)
    {
        if (snap is null) { throw new ArgumentNullException(nameof(snap)); }
        string path = Internal.Json.Str(snap, "path") ?? "(node)";
        string hash = Internal.Json.Str(snap, "hash") ?? string.Empty;
        try
        {
            ExecApprovalsDocument doc = ExecApprovalsDocument.FromJson(snap["file"], "the node's exec approvals");
            return new ExecApprovalsSnapshot(path, Internal.Json.Bool(snap, "exists") ?? true, hash, doc, null);
        }
        catch (ExecApprovalsFormatException ex)
        {
            return new ExecApprovalsSnapshot(path, true, hash, null, ex.Message);
        }
    }

    /// <summary>
    /// <c>node.invoke</c> with <paramref name="parameters"/> as a CLR graph (see the class remarks; also any
    /// <see cref="IDictionary"/> and <see cref="IEnumerable"/>); returns the payload both as JSON text and as a CLR graph.
    /// </summary>
    /// <param name="client">An open operator connection.</param>
    /// <param name="nodeId">The node's id.</param>
    /// <param name="command">The command name, e.g. <c>system.which</c>.</param>
    /// <param name="parameters">The command's params: a dictionary, or <see langword="null"/> for none.</param>
    /// <param name="timeoutMs">Invoke deadline in milliseconds.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not a dictionary.</exception>
    /// <exception cref="Protocol.GatewayException">The gateway or node refused or failed the call.</exception>
    public static async Task<InvokePayload> InvokeAsync(OperatorClient client, string nodeId, string command, object? parameters, int timeoutMs, CancellationToken ct)
    {
        if (client is null) { throw new ArgumentNullException(nameof(client)); }
        JsonObject? p = null;
        if (parameters is not null)
        {
            p = FromClr(parameters) as JsonObject ?? throw new ArgumentException("The command parameters must be a dictionary (a hashtable or an object).", nameof(parameters));
        }
        JsonNode? payload = await client.InvokeAsync(nodeId, command, p, timeoutMs, ct).ConfigureAwait(false);
        return new InvokePayload(payload?.ToJsonString() ?? "null", ToClr(payload));
    }

    /// <summary>A JSON value as a CLR graph (see the class remarks).</summary>
    public static object? ToClr(JsonNode? node)
    {
        switch (node)
        {
            case null: return null;
            case JsonObject o:
                var d = new OrderedDictionary(StringComparer.Ordinal);
                foreach (KeyValuePair<string, JsonNode?> kv in o) { d[kv.Key] = ToClr(kv.Value); }
                return d;
            case JsonArray a:
                var items = new object?[a.Count];
                for (int i = 0; i < a.Count; i++) { items[i] = ToClr(a[i]); }
                return items;
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case JsonValueKind.String: return v.GetValue<string>();
                    case JsonValueKind.True: return true;
                    case JsonValueKind.False: return false;
                    case JsonValueKind.Number:
                        if (v.TryGetValue(out long l)) { return l; }
                        if (v.TryGetValue(out double dbl)) { return dbl; }
                        return v.ToJsonString();
                    default: return null;
                }
            default: return null;
        }
    }

    /// <summary>A CLR graph as JSON: dictionaries become objects (keys via ToString), other enumerables (not strings)
    /// arrays, numbers and booleans themselves, anything else its invariant-culture string.</summary>
    public static JsonNode? FromClr(object? value)
    {
        switch (value)
        {
            case null: return null;
            case string s: return JsonValue.Create(s);
            case bool b: return JsonValue.Create(b);
            case int i: return JsonValue.Create(i);
            case long l: return JsonValue.Create(l);
            case double d: return JsonValue.Create(d);
            case float f: return JsonValue.Create(f);
            case decimal m: return JsonValue.Create(m);
            case IDictionary dict:
                var o = new JsonObject();
                foreach (DictionaryEntry e in dict) { o[Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? string.Empty] = FromClr(e.Value); }
                return o;
            case IEnumerable list:
                var a = new JsonArray();
                foreach (object? item in list) { a.Add(FromClr(item)); }
                return a;
            default: return JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>A <c>node.invoke</c> payload: the JSON text and the same value as a CLR graph (see <see cref="HostInterop"/>).</summary>
/// <param name="Json">The payload as compact JSON text (<c>null</c> when there is none).</param>
/// <param name="Value">The payload as a CLR graph.</param>
public sealed record InvokePayload(string Json, object? Value);
