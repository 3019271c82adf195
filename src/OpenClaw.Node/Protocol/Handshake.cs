using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Protocol;

/// <summary>The <c>client</c> object of <c>connect</c> (spec §4.2). Id and mode come from the gateway's fixed enums.</summary>
internal sealed record ClientInfo(string Id, string Mode, string Version, string? DisplayName, string Platform, string DeviceFamily, string? InstanceId);

/// <summary>Credentials for <c>auth</c>; exactly one bearer credential is sent (spec §4.4).</summary>
internal sealed record ConnectCredentials(string? Token = null, string? DeviceToken = null, string? BootstrapToken = null, string? Password = null)
{
    /// <summary>The value embedded in the signature: token ?? deviceToken ?? bootstrapToken ?? "".</summary>
    public string? SignatureToken => Token ?? DeviceToken ?? BootstrapToken;

    public bool IsEmpty => Token is null && DeviceToken is null && BootstrapToken is null && Password is null;
}

/// <summary>What a node or operator declares in <c>connect</c>.</summary>
internal sealed record ConnectRequest(ClientInfo Client, string Role, IReadOnlyList<string> Scopes, IReadOnlyList<string> Caps,
    IReadOnlyList<string> Commands, string? PathEnv, ConnectCredentials Credentials, DeviceIdentity? Device);

/// <summary>The parts of <c>hello-ok</c> a client acts on (spec §4.8).</summary>
internal sealed record HelloOk(int Protocol, string? AuthMethod, string? DeviceToken, IReadOnlyList<string> Scopes, int TickIntervalMs, int MaxPayload, string? ServerVersion, JsonObject Raw);

/// <summary>The <c>connect.challenge</c> → <c>connect</c> → <c>hello-ok</c> exchange (spec §4).</summary>
internal static class Handshake
{
    public const int MinProtocol = 3;
    public const int MaxProtocol = 4;

    /// <summary>Builds the closed-schema <c>connect</c> params, signing the challenge with the v3 payload.</summary>
    public static JsonObject BuildParams(ConnectRequest req, JsonObject challenge)
    {
        string nonce = challenge.Str("nonce") ?? throw new GatewayException(FailureKind.Protocol, "BadChallenge", "The gateway's connect challenge has no nonce.");
        long ts = challenge.Long("ts") ?? throw new GatewayException(FailureKind.Protocol, "BadChallenge", "The gateway's connect challenge has no timestamp.");
        var client = new JsonObject { ["id"] = req.Client.Id };
        if (req.Client.DisplayName is not null) { client["displayName"] = req.Client.DisplayName; }
        client["version"] = req.Client.Version;
        client["platform"] = req.Client.Platform;
        client["deviceFamily"] = req.Client.DeviceFamily;
        client["mode"] = req.Client.Mode;
        if (req.Client.InstanceId is not null) { client["instanceId"] = req.Client.InstanceId; }

        var p = new JsonObject
        {
            ["minProtocol"] = req.Role == "node" ? MinProtocol : MaxProtocol,
            ["maxProtocol"] = MaxProtocol,
            ["client"] = client,
            ["caps"] = Json.ToArray(req.Caps),
            ["commands"] = Json.ToArray(req.Commands),
        };
        if (req.PathEnv is not null) { p["pathEnv"] = req.PathEnv; }
        var auth = new JsonObject();
        if (req.Credentials.Token is not null) { auth["token"] = req.Credentials.Token; }
        if (req.Credentials.DeviceToken is not null) { auth["deviceToken"] = req.Credentials.DeviceToken; }
        if (req.Credentials.BootstrapToken is not null) { auth["bootstrapToken"] = req.Credentials.BootstrapToken; }
        if (req.Credentials.Password is not null) { auth["password"] = req.Credentials.Password; }
        if (auth.Count > 0) { p["auth"] = auth; }
        p["role"] = req.Role;
        p["scopes"] = Json.ToArray(req.Scopes);
        if (req.Device is DeviceIdentity device)
        {
            string payload = SignaturePayload.V3(device.DeviceId, req.Client.Id, req.Client.Mode, req.Role, req.Scopes, ts,
                req.Credentials.SignatureToken, nonce, req.Client.Platform, req.Client.DeviceFamily);
            p["device"] = new JsonObject
            {
                ["id"] = device.DeviceId,
                ["publicKey"] = device.PublicKeyBase64Url,
                ["signature"] = device.Sign(payload),
                ["signedAt"] = ts,
                ["nonce"] = nonce,
            };
        }
        return p;
    }

    /// <summary>Runs the handshake on an open connection.</summary>
    /// <param name="conn">The open connection.</param>
    /// <param name="req">What to declare.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="responseTimeout">How long to wait for the answer to <c>connect</c>; default 15 s.</param>
    /// <exception cref="GatewayException">The gateway refused the connect (see <see cref="GatewayException.DetailsCode"/>), closed, or timed out.</exception>
    public static async Task<HelloOk> ConnectAsync(GatewayConnection conn, ConnectRequest req, CancellationToken ct, TimeSpan? responseTimeout = null)
    {
        JsonObject challenge = await conn.WaitForChallengeAsync(TimeSpan.FromSeconds(15), ct).ConfigureAwait(false);
        JsonObject parameters = BuildParams(req, challenge);
        JsonNode? payload;
        try
        {
            payload = await conn.RequestAsync("connect", parameters, responseTimeout ?? TimeSpan.FromSeconds(15), ct).ConfigureAwait(false);
        }
        catch (GatewayException ex) when (ex.Kind == FailureKind.Timeout)
        {
            await conn.CloseAsync(4000, "connect timeout").ConfigureAwait(false);
            throw;
        }
        if (payload is not JsonObject hello || hello.Str("type") != "hello-ok")
        {
            throw new GatewayException(FailureKind.Protocol, "UnexpectedHello", "The gateway answered connect with something other than hello-ok.");
        }
        JsonObject? auth = hello.Obj("auth");
        JsonObject? policy = hello.Obj("policy");
        long tick = policy.Long("tickIntervalMs") ?? 30000;
        long max = policy.Long("maxPayload") ?? GatewayConnection.MaxPayloadBytes;
        return new HelloOk(
            (int)(hello.Long("protocol") ?? 0),
            auth.Str("method"),
            auth.Str("deviceToken"),
            auth.StrArray("scopes") ?? new List<string>(),
            (int)Math.Max(1000, Math.Min(tick, 600000)),
            (int)Math.Max(64 * 1024, Math.Min(max, int.MaxValue)),
            hello.Obj("server").Str("version"),
            hello);
    }
}
