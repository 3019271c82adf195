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

/// <summary>Whether an operator connection presents a device identity (spec §12.1).</summary>
public enum OperatorAuthMode
{
    /// <summary>
    /// Device-less on a loopback gateway (the gateway grants the requested scopes to a direct-local <c>cli</c> client),
    /// the operator's own paired device everywhere else (a device-less remote operator would get no scopes).
    /// </summary>
    Auto,
    /// <summary>Always present the operator's device identity (first use creates a pairing request on the gateway).</summary>
    Device,
    /// <summary>Never present a device; shared token only (works with scopes only on a direct loopback connection).</summary>
    SharedToken,
}

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

    /// <summary>Whether to present a device identity when <see cref="Device"/> is null; default <see cref="OperatorAuthMode.Auto"/>.</summary>
    public OperatorAuthMode AuthMode { get; init; } = OperatorAuthMode.Auto;

    /// <summary>
    /// State directory holding the operator's identity and device tokens (see <see cref="OperatorIdentityStore"/>);
    /// null = <c>$OPENCLAW_STATE_DIR</c>, else <c>~/.openclaw</c>.
    /// </summary>
    public string? StateDirectory { get; init; }

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

    /// <summary>
    /// Connects and authenticates. With a device identity (see <see cref="OperatorAuthMode"/>) a saved device token for
    /// this gateway is used first; a token the gateway no longer accepts is forgotten and the shared token tried once; a
    /// device token issued in hello-ok is saved for next time.
    /// </summary>
    /// <exception cref="GatewayException">
    /// Unreachable, refused credentials, or <see cref="FailureKind.PairingRequired"/> (ErrorId
    /// <c>OperatorPairingRequired</c>) when this operator's device waits for approval; the message names the request id.
    /// </exception>
    /// <exception cref="StateFileException">The operator's identity or credentials file is corrupt or unsafe.</exception>
    public static async Task<OperatorClient> ConnectAsync(OperatorOptions options, INodeLog? log, CancellationToken ct)
    {
        GatewayEndpoint.Validate(options.Gateway);
        string url = GatewayEndpoint.ToUri(options.Gateway).ToString();
        DeviceIdentity? device = options.Device;
        OperatorIdentityStore? store = null;
        if (device is null && UsesDevice(options))
        {
            store = new OperatorIdentityStore(State.StateDirectory.Resolve(options.StateDirectory));
            device = store.LoadOrCreateIdentity();
        }
        string? deviceToken = store?.GetDeviceToken(url);
        try
        {
            var creds = deviceToken is not null ? new ConnectCredentials(DeviceToken: deviceToken) : new ConnectCredentials(Token: options.Token);
            return await ConnectOnceAsync(options, device, creds, store, url, log, ct).ConfigureAwait(false);
        }
        catch (GatewayException ex) when (deviceToken is not null && options.Token is not null && IsDeviceTokenRejected(ex))
        {
            (log ?? NullNodeLog.Instance).Write(NodeLogLevel.Warning, "The gateway no longer accepts this operator's device token; forgot it and retrying with the shared token.");
            store!.SetDeviceToken(url, null, Array.Empty<string>());
            return await ConnectOnceAsync(options, device, new ConnectCredentials(Token: options.Token), store, url, log, ct).ConfigureAwait(false);
        }
    }

    /// <summary>True when <paramref name="options"/> lead to a connection that presents a device identity.</summary>
    public static bool UsesDevice(OperatorOptions options) => options.Device is not null || options.AuthMode switch
    {
        OperatorAuthMode.Device => true,
        OperatorAuthMode.SharedToken => false,
        _ => !GatewayEndpoint.IsLoopback(options.Gateway.Host),
    };

    private static bool IsDeviceTokenRejected(GatewayException ex) =>
        ex.DetailsCode == "AUTH_DEVICE_TOKEN_MISMATCH"
        || (ex.Kind == FailureKind.AuthFailed && ex.Message.IndexOf("device token", StringComparison.OrdinalIgnoreCase) >= 0);

    private static async Task<OperatorClient> ConnectOnceAsync(OperatorOptions options, DeviceIdentity? device, ConnectCredentials creds,
        OperatorIdentityStore? store, string url, INodeLog? log, CancellationToken ct)
    {
        var conn = await GatewayConnection.OpenAsync(options.Gateway, log ?? NullNodeLog.Instance, TimeSpan.FromSeconds(15), ct).ConfigureAwait(false);
        try
        {
            var request = new ConnectRequest(
                new ClientInfo("cli", "cli", NodeHost.Version, null, HostPlatform.Platform, HostPlatform.DeviceFamily, null),
                "operator", options.Scopes, Array.Empty<string>(), Array.Empty<string>(), null, creds, device);
            HelloOk hello;
            try { hello = await Handshake.ConnectAsync(conn, request, ct).ConfigureAwait(false); }
            catch (GatewayException ex) when (ex.Kind == FailureKind.PairingRequired && device is not null && ex.DetailsCode is null or "PAIRING_REQUIRED")
            {
                string requestId = ex.Details.Str("requestId") ?? "(no id)";
                throw new GatewayException(FailureKind.PairingRequired, "OperatorPairingRequired",
                    $"The gateway has not approved this operator's device {device.DeviceId.Substring(0, 12)}… yet: pairing request {requestId}. " +
                    $"Approve it on the gateway host with 'openclaw devices approve {requestId}' (or Approve-OpenClawNodeRequest from a session on the gateway host), then connect again.", ex)
                {
                    Code = ex.Code, DetailsCode = ex.DetailsCode, Details = ex.Details,
                };
            }
            conn.StartWatchdog(hello.TickIntervalMs);
            if (store is not null && hello.DeviceToken is not null && hello.DeviceToken != creds.DeviceToken)
            {
                store.SetDeviceToken(url, hello.DeviceToken, hello.Scopes);
            }
            return new OperatorClient(conn, hello.Scopes, url) { DeviceId = device?.DeviceId, Options = options };
        }
        catch
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The operator's device id when the connection presented a device identity; null for a device-less connection.</summary>
    public string? DeviceId { get; private init; }

    /// <summary>
    /// True once the connection has closed (gateway restart, network drop, <see cref="DisposeAsync"/>): every later call
    /// fails with <c>ConnectionClosed</c>. Reconnect with <see cref="ReconnectAsync"/>.
    /// </summary>
    public bool IsClosed => _conn.Closed.IsCompleted;

    /// <summary>The options this client connected with (kept in memory only, for <see cref="ReconnectAsync"/>).</summary>
    internal OperatorOptions Options { get; private init; } = new();

    /// <summary>Opens a new connection with the same gateway, credentials and identity as this one (which stays closed).</summary>
    /// <exception cref="GatewayException">As for <see cref="ConnectAsync"/>, e.g. <c>GatewayUnreachable</c> while the gateway restarts.</exception>
    public Task<OperatorClient> ReconnectAsync(INodeLog? log, CancellationToken ct) => ConnectAsync(Options, log, ct);

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
