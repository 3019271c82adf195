using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Operator;

/// <summary>How an operator connection authenticates (spec §12.1).</summary>
public sealed record OperatorOptions
{
    /// <summary>The gateway endpoint.</summary>
    public GatewaySettings Gateway { get; init; } = new();

    /// <summary>Shared gateway token (<c>OPENCLAW_GATEWAY_TOKEN</c>).</summary>
    public string? Token { get; init; }

    /// <summary>
    /// The operator's device identity, or null for a device-less connection (accepted with full scopes only on a direct
    /// loopback connection, as the OpenClaw CLI does on the gateway host).
    /// </summary>
    public DeviceIdentity? Device { get; init; }

    /// <summary>Requested scopes; default admin, pairing, read, write and approvals.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = new[] { "operator.admin", "operator.pairing", "operator.read", "operator.write", "operator.approvals" };
}

/// <summary>
/// An operator connection to the gateway (role <c>operator</c>, client <c>cli</c>), reused for many calls: pairing
/// requests, nodes, invocations and remote exec approvals (spec §12). Each method maps to one gateway RPC.
/// </summary>
public sealed class OperatorClient : IAsyncDisposable
{
    private readonly GatewayConnection _conn;

    private OperatorClient(GatewayConnection conn, IReadOnlyList<string> scopes, string url)
    {
        _conn = conn;
        Scopes = scopes;
        Url = url;
    }

    /// <summary>Scopes the gateway granted.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>The gateway URL.</summary>
    public string Url { get; }

    /// <summary>Connects and authenticates.</summary>
    /// <exception cref="GatewayException">Unreachable, refused credentials, or pairing required for the operator device.</exception>
    public static async Task<OperatorClient> ConnectAsync(OperatorOptions options, INodeLog? log, CancellationToken ct)
    {
        GatewayEndpoint.Validate(options.Gateway);
        var conn = await GatewayConnection.OpenAsync(options.Gateway, log ?? NullNodeLog.Instance, TimeSpan.FromSeconds(15), ct).ConfigureAwait(false);
        try
        {
            var request = new ConnectRequest(
                new ClientInfo("cli", "cli", NodeHost.Version, null, HostPlatform.Platform, HostPlatform.DeviceFamily, null),
                "operator", options.Scopes, Array.Empty<string>(), Array.Empty<string>(), null,
                new ConnectCredentials(Token: options.Token), options.Device);
            HelloOk hello = await Handshake.ConnectAsync(conn, request, ct).ConfigureAwait(false);
            conn.StartWatchdog(hello.TickIntervalMs);
            return new OperatorClient(conn, hello.Scopes, GatewayEndpoint.ToUri(options.Gateway).ToString());
        }
        catch
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Calls any gateway method and returns its payload.</summary>
    /// <exception cref="GatewayException">The gateway answered <c>ok:false</c>, the connection closed, or it timed out.</exception>
    public Task<JsonNode?> CallAsync(string method, JsonObject? parameters, TimeSpan? timeout, CancellationToken ct) =>
        _conn.RequestAsync(method, parameters ?? new JsonObject(), timeout, ct);

    /// <summary><c>node.pair.list</c>: <c>{pending:[…], paired:[…]}</c> of command-surface requests.</summary>
    public async Task<JsonObject> ListNodePairingAsync(CancellationToken ct) =>
        await CallAsync("node.pair.list", null, null, ct).ConfigureAwait(false) as JsonObject ?? new JsonObject();

    /// <summary><c>node.pair.approve {requestId}</c>.</summary>
    public async Task<JsonObject> ApproveNodePairingAsync(string requestId, CancellationToken ct) =>
        await CallAsync("node.pair.approve", new JsonObject { ["requestId"] = requestId }, null, ct).ConfigureAwait(false) as JsonObject ?? new JsonObject();

    /// <summary><c>device.pair.list</c>: <c>{pending:[…], paired:[…]}</c> of device pairing requests.</summary>
    public async Task<JsonObject> ListDevicePairingAsync(CancellationToken ct) =>
        await CallAsync("device.pair.list", null, null, ct).ConfigureAwait(false) as JsonObject ?? new JsonObject();

    /// <summary><c>device.pair.approve {requestId}</c>.</summary>
    public async Task<JsonObject> ApproveDevicePairingAsync(string requestId, CancellationToken ct) =>
        await CallAsync("device.pair.approve", new JsonObject { ["requestId"] = requestId }, null, ct).ConfigureAwait(false) as JsonObject ?? new JsonObject();

    /// <summary><c>node.list</c>: <c>{ts, nodes:[…]}</c>.</summary>
    public async Task<JsonObject> ListNodesAsync(CancellationToken ct) =>
        await CallAsync("node.list", null, null, ct).ConfigureAwait(false) as JsonObject ?? new JsonObject();

    /// <summary>
    /// <c>node.invoke {nodeId, command, params, timeoutMs, idempotencyKey}</c>; returns the node's payload
    /// (the gateway's <c>payload</c> field).
    /// </summary>
    /// <param name="nodeId">Device id of the node.</param>
    /// <param name="command">Command name, e.g. <c>system.which</c>.</param>
    /// <param name="parameters">Command params object.</param>
    /// <param name="timeoutMs">Invoke deadline in milliseconds (gateway default 30000).</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<JsonNode?> InvokeAsync(string nodeId, string command, JsonObject? parameters, int timeoutMs, CancellationToken ct)
    {
        var p = new JsonObject
        {
            ["nodeId"] = nodeId,
            ["command"] = command,
            ["params"] = parameters ?? new JsonObject(),
            ["timeoutMs"] = timeoutMs,
            ["idempotencyKey"] = Guid.NewGuid().ToString(),
        };
        JsonNode? res = await CallAsync("node.invoke", p, TimeSpan.FromMilliseconds(timeoutMs + 5000), ct).ConfigureAwait(false);
        if (res is JsonObject o && o["payload"] is JsonNode payload) { return payload.DeepClone(); }
        if (res is JsonObject o2 && o2.Str("payloadJSON") is string pj) { return Json.ParseOrNull(pj); }
        return null;
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _conn.CloseAsync(1000, "operator done").ConfigureAwait(false);
        await _conn.DisposeAsync().ConfigureAwait(false);
    }
}
