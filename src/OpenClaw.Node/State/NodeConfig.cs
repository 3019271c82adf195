using System;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.State;

/// <summary>Gateway endpoint saved in <c>node.json</c> (<c>gateway {host, port, tls, tlsFingerprint, contextPath}</c>).</summary>
public sealed record GatewaySettings
{
    /// <summary>Host name or IP literal; default <c>127.0.0.1</c>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port 1-65535; default 18789.</summary>
    public int Port { get; init; } = 18789;

    /// <summary>Use <c>wss://</c>.</summary>
    public bool Tls { get; init; }

    /// <summary>Pinned SHA-256 of the gateway's leaf certificate, 64 lowercase hex digits, or null for normal validation.</summary>
    public string? TlsFingerprint { get; init; }

    /// <summary>Optional URL path under which the gateway is served (e.g. <c>/openclaw-gw</c>).</summary>
    public string? ContextPath { get; init; }

    /// <summary>True when both settings address the same gateway origin (host, port, scheme, path).</summary>
    public bool SameOrigin(GatewaySettings other) =>
        string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase) && Port == other.Port && Tls == other.Tls
        && string.Equals(ContextPath ?? string.Empty, other.ContextPath ?? string.Empty, StringComparison.Ordinal);
}

/// <summary>
/// The node host's <c>node.json</c> in the state directory:
/// <c>{"version":1, "nodeId", "token", "displayName", "gateway":{host, port, tls, tlsFingerprint}}</c>.
/// <c>nodeId</c> is the instance id sent as <c>client.instanceId</c>; <c>token</c> is the node-role device token the
/// gateway issued in <c>hello-ok</c> for the saved gateway (a secret: the file is 0600 / user-only).
/// Unknown keys are kept when the file is rewritten.
/// </summary>
public sealed class NodeConfig
{
    private readonly JsonObject _raw;

    private NodeConfig(JsonObject raw, string nodeId)
    {
        _raw = raw;
        NodeId = nodeId;
    }

    /// <summary>Instance id (a UUID unless set with <c>--node-id</c>); metadata only, not the device id.</summary>
    public string NodeId { get; set; }

    /// <summary>The stored node-role device token, or null. Never logged or shown.</summary>
    public string? Token { get; set; }

    /// <summary>Display name sent as <c>client.displayName</c>, or null for the machine name.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The gateway this node last connected to (and the one <see cref="Token"/> belongs to).</summary>
    public GatewaySettings? Gateway { get; set; }

    /// <summary>
    /// How the gateway may edit this node's exec approvals: <c>execApprovals.remoteEdits</c> = <c>allow</c> (default, as the
    /// official host), <c>tighten-only</c> or <c>deny</c>. A local lock for policies pushed by Intune or DSC.
    /// </summary>
    public Commands.RemoteEditPolicy RemoteEdits { get; set; } = Commands.RemoteEditPolicy.Allow;

    /// <summary>A fresh configuration with a new random instance id.</summary>
    public static NodeConfig CreateNew() => new(new JsonObject(), Guid.NewGuid().ToString());

    /// <summary>Parses <c>node.json</c> text.</summary>
    /// <exception cref="StateFileException">Malformed JSON or a field of the wrong type; the message names the file, line and field.</exception>
    public static NodeConfig Parse(string text, string path)
    {
        JsonNode? root;
        try { root = Json.Parse(text); }
        catch (JsonException ex)
        {
            throw new StateFileException(path, $"'{path}' is not valid JSON (line {(ex.LineNumber ?? 0) + 1}): it may be truncated or corrupt. " +
                "Fix it or move it away to start over with a new node configuration; it was left unchanged.", ex);
        }
        if (root is not JsonObject obj) { throw Bad(path, "the top level must be a JSON object"); }
        if (obj.Long("version") != 1) { throw Bad(path, "'version' must be 1"); }
        string? nodeId = obj.Str("nodeId");
        if (string.IsNullOrWhiteSpace(nodeId)) { throw Bad(path, "'nodeId' must be a non-empty string"); }
        var config = new NodeConfig(obj, nodeId!);
        if (obj.ContainsKey("token") && obj["token"] is not null && obj.Str("token") is null) { throw Bad(path, "'token' must be a string"); }
        config.Token = string.IsNullOrEmpty(obj.Str("token")) ? null : obj.Str("token");
        if (obj.ContainsKey("displayName") && obj["displayName"] is not null && obj.Str("displayName") is null) { throw Bad(path, "'displayName' must be a string"); }
        config.DisplayName = obj.Str("displayName");
        if (obj["execApprovals"] is JsonNode ea)
        {
            string? mode = (ea as JsonObject).Str("remoteEdits");
            if (ea is not JsonObject || (mode is not null && mode is not ("allow" or "tighten-only" or "deny")))
            {
                throw Bad(path, "'execApprovals.remoteEdits' must be one of allow, tighten-only, deny");
            }
            config.RemoteEdits = mode switch { "tighten-only" => Commands.RemoteEditPolicy.TightenOnly, "deny" => Commands.RemoteEditPolicy.Deny, _ => Commands.RemoteEditPolicy.Allow };
        }
        if (obj["gateway"] is JsonNode g)
        {
            if (g is not JsonObject go) { throw Bad(path, "'gateway' must be an object"); }
            string? host = go.Str("host");
            if (string.IsNullOrWhiteSpace(host)) { throw Bad(path, "'gateway.host' must be a non-empty string"); }
            long? port = go.Long("port");
            if (port is null or < 1 or > 65535) { throw Bad(path, "'gateway.port' must be an integer from 1 to 65535"); }
            bool? tls = go.Bool("tls");
            if (go.ContainsKey("tls") && tls is null) { throw Bad(path, "'gateway.tls' must be true or false"); }
            string? fp = go.Str("tlsFingerprint");
            if (fp is not null)
            {
                try { fp = Protocol.TlsFingerprint.Normalise(fp); }
                catch (FormatException ex) { throw Bad(path, "'gateway.tlsFingerprint' " + ex.Message); }
            }
            config.Gateway = new GatewaySettings { Host = host!, Port = (int)port.Value, Tls = tls ?? false, TlsFingerprint = fp, ContextPath = go.Str("contextPath") };
        }
        return config;
    }

    /// <summary>Serialises to the pretty-printed JSON written to disk (unknown keys preserved).</summary>
    public string ToJson()
    {
        var obj = (JsonObject)_raw.DeepClone();
        obj["version"] = 1;
        obj["nodeId"] = NodeId;
        Set(obj, "token", Token);
        Set(obj, "displayName", DisplayName);
        if (Gateway is null) { obj.Remove("gateway"); }
        else
        {
            var g = obj["gateway"] as JsonObject ?? new JsonObject();
            g["host"] = Gateway.Host;
            g["port"] = Gateway.Port;
            g["tls"] = Gateway.Tls;
            Set(g, "tlsFingerprint", Gateway.TlsFingerprint);
            Set(g, "contextPath", Gateway.ContextPath);
            obj["gateway"] = g;
        }
        if (RemoteEdits != Commands.RemoteEditPolicy.Allow || obj.ContainsKey("execApprovals"))
        {
            var ea = obj["execApprovals"] as JsonObject ?? new JsonObject();
            ea["remoteEdits"] = RemoteEdits switch { Commands.RemoteEditPolicy.TightenOnly => "tighten-only", Commands.RemoteEditPolicy.Deny => "deny", _ => "allow" };
            obj["execApprovals"] = ea;
        }
        return Json.Indented(obj) + "\n";
    }

    private static void Set(JsonObject obj, string name, string? value)
    {
        if (value is null) { obj.Remove(name); } else { obj[name] = value; }
    }

    private static StateFileException Bad(string path, string what) =>
        new(path, string.Format(CultureInfo.InvariantCulture,
            "'{0}' is not a valid node configuration: {1}. Fix the file or move it away to start over; it was left unchanged.", path, what));
}
