using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json.Nodes;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Operator;

/// <summary>
/// The operator's own device identity and the device tokens gateways issued to it, kept apart from the node's:
/// <c>&lt;stateDir&gt;/operator/identity/device.json</c> (same form as the node's identity file) and
/// <c>&lt;stateDir&gt;/operator/operator-auth.json</c>:
/// <c>{"version":1,"gateways":{"wss://gw.example:18789/":{"deviceToken":"…","scopes":["operator.admin"],"updatedAtMs":1700000000000}}}</c>.
/// Both files are written atomically and owner-only (0600, folders 0700); tokens never leave this class except to the
/// handshake.
/// </summary>
public sealed class OperatorIdentityStore
{
    private readonly NodeStateStore _identity;

    /// <summary>Opens the store under <c>&lt;stateDirectory&gt;/operator</c> (a full path; created on first write).</summary>
    public OperatorIdentityStore(string stateDirectory)
    {
        Directory = Path.Combine(stateDirectory, "operator");
        _identity = new NodeStateStore(Directory);
        AuthPath = Path.Combine(Directory, "operator-auth.json");
    }

    /// <summary>The operator folder (<c>&lt;stateDir&gt;/operator</c>).</summary>
    public string Directory { get; }

    /// <summary>Full path of <c>operator-auth.json</c>.</summary>
    public string AuthPath { get; }

    /// <summary>Full path of the operator's <c>identity/device.json</c>.</summary>
    public string IdentityPath => _identity.IdentityPath;

    /// <summary>Loads the operator's device identity, creating and saving a new Ed25519 key pair on first use.</summary>
    /// <exception cref="StateFileException">The identity file is corrupt or unsafe.</exception>
    public DeviceIdentity LoadOrCreateIdentity() => _identity.LoadOrCreateIdentity(out _);

    /// <summary>The device token saved for <paramref name="gatewayUrl"/>, or null.</summary>
    /// <exception cref="StateFileException">operator-auth.json is corrupt or unsafe.</exception>
    public string? GetDeviceToken(string gatewayUrl) => Load().Obj("gateways").Obj(gatewayUrl).Str("deviceToken");

    /// <summary>Saves (or, with a null token, forgets) the device token for <paramref name="gatewayUrl"/>.</summary>
    /// <exception cref="StateFileException">operator-auth.json is corrupt or unsafe.</exception>
    public void SetDeviceToken(string gatewayUrl, string? deviceToken, IReadOnlyList<string> scopes)
    {
        JsonObject doc = Load();
        if (doc["gateways"] is not JsonObject gateways) { gateways = new JsonObject(); doc["gateways"] = gateways; }
        if (deviceToken is null) { gateways.Remove(gatewayUrl); }
        else
        {
            gateways[gatewayUrl] = new JsonObject
            {
                ["deviceToken"] = deviceToken,
                ["scopes"] = Json.ToArray(scopes),
                ["updatedAtMs"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            };
        }
        SecureFile.EnsureDirectory(Directory);
        SecureFile.WriteAllText(AuthPath, Json.Indented(doc) + "\n");
    }

    private JsonObject Load()
    {
        string? text = SecureFile.ReadAllTextOrNull(AuthPath);
        if (text is null) { return new JsonObject { ["version"] = 1, ["gateways"] = new JsonObject() }; }
        if (Json.ParseOrNull(text) is JsonObject obj && obj.Long("version") == 1 && obj["gateways"] is null or JsonObject)
        {
            return obj;
        }
        throw new StateFileException(AuthPath,
            $"The operator credentials file '{AuthPath}' is not valid (expected {{\"version\":1,\"gateways\":{{…}}}}). Delete it to pair this operator again.");
    }
}
