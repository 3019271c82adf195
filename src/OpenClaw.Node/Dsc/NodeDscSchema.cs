using System.Text.Json.Nodes;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Dsc;

/// <summary>
/// The JSON Schema (draft 2020-12) of an <c>OpenClaw/Node</c> instance: what <c>openclaw-node dsc schema</c> prints and
/// what <c>OpenClaw.Node.dsc.resource.json</c> embeds (a test keeps the two equal). Closed (<c>additionalProperties:
/// false</c>), so DSC itself rejects an unknown property before calling the resource.
/// </summary>
public static class NodeDscSchema
{
    /// <summary>The fully qualified DSC resource type name.</summary>
    public const string ResourceType = "OpenClaw/Node";

    /// <summary>The schema's <c>$id</c>.</summary>
    public const string Id = "https://openclaw.invalid/schemas/dsc/OpenClaw.Node.json";

    /// <summary>Builds the schema (a new object on every call).</summary>
    public static JsonObject Create()
    {
        static JsonObject Str(string title, string description) => new() { ["type"] = "string", ["title"] = title, ["description"] = description };
        static JsonObject Enum(string title, string description, string[] values) =>
            new() { ["type"] = "string", ["enum"] = Json.ToArray(values), ["title"] = title, ["description"] = description };
        static JsonObject Bool(string title, string description) => new() { ["type"] = "boolean", ["title"] = title, ["description"] = description };

        var port = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 65535, ["title"] = "Gateway port", ["description"] = "TCP port of the gateway (the gateway's default is 18789)." };
        var fingerprint = new JsonObject
        {
            ["type"] = new JsonArray("string", "null"),
            ["title"] = "TLS certificate pin",
            ["description"] = "SHA-256 of the gateway's certificate (64 hex digits, colon pairs, or sha256:...); null = no pin (normal certificate validation). Output is 64 lowercase hex digits.",
        };
        var entry = new JsonObject
        {
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = new JsonArray("pattern"),
            ["properties"] = new JsonObject
            {
                ["agentId"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["default"] = "*", ["description"] = "The agent the entry belongs to; * = every agent." },
                ["pattern"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["description"] = "Path glob (matched against the resolved executable) or bare-name glob. Shells are refused." },
                ["argPattern"] = new JsonObject { ["type"] = new JsonArray("string", "null"), ["description"] = "Optional regex over the arguments." },
            },
        };
        var properties = new JsonObject
        {
            ["stateDirectory"] = Str("State directory", "The node's state directory (node.json, exec-approvals.json). Default: $OPENCLAW_STATE_DIR, else ~/.openclaw of the account DSC runs as. Give it explicitly for scope system (for example C:\\ProgramData\\OpenClaw\\node)."),
            ["scope"] = Enum("Service scope", "user (systemd user unit, per-user Scheduled Task, LaunchAgent) or system (systemd system unit, boot-start Windows service; needs root/Administrator). Default user.", NodeDscInstance.ScopeValues),
            ["_exist"] = new JsonObject { ["$ref"] = "https://aka.ms/dsc/schemas/v3/resource/properties/exist.json" },
            ["running"] = Bool("Service running", "Whether the node service runs. Default: true when _exist is true."),
            ["gatewayHost"] = Str("Gateway host", "Gateway host name or IP address, saved in node.json."),
            ["gatewayPort"] = port,
            ["tls"] = Bool("TLS", "Connect with TLS (wss://)."),
            ["tlsFingerprint"] = fingerprint,
            ["displayName"] = Str("Display name", "Name shown in the gateway's node list."),
            ["remoteEdits"] = Enum("Remote edits of exec approvals", "How the gateway may edit this node's exec approvals: allow, tighten-only, deny (node.json execApprovals.remoteEdits).", NodeDscInstance.RemoteEditValues),
            ["execSecurity"] = Enum("Exec security", "defaults.security of exec-approvals.json: deny, allowlist, full.", ExecModeNames.SecurityValues),
            ["execAsk"] = Enum("Exec ask", "defaults.ask of exec-approvals.json: off, on-miss, always.", ExecModeNames.AskValues),
            ["execAskFallback"] = Enum("Exec ask fallback", "defaults.askFallback of exec-approvals.json: deny, allowlist, full.", ExecModeNames.SecurityValues),
            ["allowlist"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = entry,
                ["title"] = "Allowlist entries",
                ["description"] = "Entries that must be present in exec-approvals.json (entries not listed are left alone unless _purge is true). Output lists every entry.",
            },
            ["_purge"] = new JsonObject { ["$ref"] = "https://aka.ms/dsc/schemas/v3/resource/properties/purge.json" },
            ["serviceAccount"] = new JsonObject
            {
                ["type"] = "string",
                ["writeOnly"] = true,
                ["title"] = "Service account",
                ["description"] = "The account the service runs as: for scope system on Linux the user of User= (required there); on Windows a gMSA DOMAIN\\name$ (default: the virtual account NT SERVICE\\openclaw-node).",
            },
            ["tokenFile"] = new JsonObject
            {
                ["type"] = "string",
                ["writeOnly"] = true,
                ["title"] = "Gateway token file",
                ["description"] = "Path of an owner-only file holding the shared gateway token, used when set installs the service (else $OPENCLAW_GATEWAY_TOKEN). The token itself is never an instance property.",
            },
            ["executablePath"] = new JsonObject
            {
                ["type"] = "string",
                ["writeOnly"] = true,
                ["title"] = "Host executable",
                ["description"] = "Full path of the openclaw-node the service runs. Default: the openclaw-node that runs the resource.",
            },
            ["connectionState"] = new JsonObject
            {
                ["type"] = new JsonArray("string", "null"),
                ["readOnly"] = true,
                ["title"] = "Connection state",
                ["description"] = "The running host's gateway connection state from node-status.json (Connected, PairingRequired, AwaitingApproval, ...), or null.",
            },
            ["_inDesiredState"] = new JsonObject { ["$ref"] = "https://aka.ms/dsc/schemas/v3/resource/properties/inDesiredState.json" },
        };
        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = Id,
            ["title"] = ResourceType,
            ["description"] = "The desired state of the OpenClaw node host of one state directory: installed as a service, gateway, display name, service scope, exec-approvals defaults and allowlist.",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["properties"] = properties,
        };
    }
}
