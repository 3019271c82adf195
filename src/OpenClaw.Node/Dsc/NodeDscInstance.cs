using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;

namespace OpenClaw.Node.Dsc;

/// <summary>The instance JSON given to the DSC resource is not valid. The message names the property, what is wrong and the fix.</summary>
public sealed class NodeDscInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NodeDscInputException(string property, string message) : base(message) => Property = property;

    /// <summary>The offending property (<c>allowlist[2].pattern</c>), or an empty string for the document itself.</summary>
    public string Property { get; }
}

/// <summary>One allowlist entry of the <c>OpenClaw/Node</c> instance: <c>{agentId, pattern, argPattern}</c>.</summary>
public sealed record NodeDscAllowlistEntry
{
    /// <summary>The agent the entry belongs to; <c>*</c> (every agent) by default.</summary>
    public string AgentId { get; init; } = "*";

    /// <summary>The path or bare-name glob.</summary>
    public string Pattern { get; init; } = string.Empty;

    /// <summary>The argument regex, or null for any arguments.</summary>
    public string? ArgPattern { get; init; }

    /// <summary>True when both name the same agent, pattern and argPattern (ordinal).</summary>
    public bool Same(NodeDscAllowlistEntry other) =>
        string.Equals(AgentId, other.AgentId, StringComparison.Ordinal) && string.Equals(Pattern, other.Pattern, StringComparison.Ordinal)
        && string.Equals(ArgPattern, other.ArgPattern, StringComparison.Ordinal);

    /// <summary><c>{"agentId","pattern"[,"argPattern"]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["agentId"] = AgentId, ["pattern"] = Pattern };
        if (ArgPattern is not null) { o["argPattern"] = ArgPattern; }
        return o;
    }
}

/// <summary>
/// An instance of the DSC v3 resource <c>OpenClaw/Node</c>: the desired (input) or actual (output) state of the node of
/// one state directory. Every property is optional in the input; a property left out is not managed. JSON property names:
/// <c>stateDirectory, scope, _exist, running, gatewayHost, gatewayPort, tls, tlsFingerprint, displayName, remoteEdits,
/// execSecurity, execAsk, execAskFallback, allowlist, _purge, serviceAccount, tokenFile, executablePath, connectionState, _inDesiredState</c>
/// (see <see cref="NodeDscSchema"/>). Never holds a token: only the path of a token file.
/// </summary>
public sealed record NodeDscInstance
{
    /// <summary>Every property name the resource accepts, in schema order.</summary>
    public static readonly string[] PropertyNames =
    {
        "stateDirectory", "scope", "_exist", "running", "gatewayHost", "gatewayPort", "tls", "tlsFingerprint", "displayName",
        "remoteEdits", "execSecurity", "execAsk", "execAskFallback", "allowlist", "_purge", "serviceAccount", "tokenFile", "executablePath",
        "connectionState", "_inDesiredState",
    };

    /// <summary>Valid <c>scope</c> values.</summary>
    public static readonly string[] ScopeValues = { "user", "system" };

    /// <summary>Valid <c>remoteEdits</c> values.</summary>
    public static readonly string[] RemoteEditValues = { "allow", "tighten-only", "deny" };

    /// <summary>State directory (absolute, or <c>~</c>-relative); null = <c>$OPENCLAW_STATE_DIR</c>, else <c>~/.openclaw</c>.</summary>
    public string? StateDirectory { get; init; }

    /// <summary><c>user</c> or <c>system</c>; null = not given (desired: <c>user</c>).</summary>
    public string? Scope { get; init; }

    /// <summary>Whether the node service is installed (<c>_exist</c>); null = not given (desired: true).</summary>
    public bool? Exist { get; init; }

    /// <summary>Whether the service runs; null = not given (desired: true when the node exists).</summary>
    public bool? Running { get; init; }

    /// <summary>Gateway host name or IP literal.</summary>
    public string? GatewayHost { get; init; }

    /// <summary>Gateway port 1-65535.</summary>
    public int? GatewayPort { get; init; }

    /// <summary>Connect with TLS.</summary>
    public bool? Tls { get; init; }

    /// <summary>True when <c>tlsFingerprint</c> was given (a null value means "no pin").</summary>
    public bool HasTlsFingerprint { get; init; }

    /// <summary>The pinned certificate SHA-256 (normalised: 64 lowercase hex), or null for none.</summary>
    public string? TlsFingerprint { get; init; }

    /// <summary>Name shown in the gateway's node list.</summary>
    public string? DisplayName { get; init; }

    /// <summary>How the gateway may edit the exec approvals: <c>allow</c>, <c>tighten-only</c>, <c>deny</c>.</summary>
    public string? RemoteEdits { get; init; }

    /// <summary><c>defaults.security</c>: deny, allowlist, full.</summary>
    public string? ExecSecurity { get; init; }

    /// <summary><c>defaults.ask</c>: off, on-miss, always.</summary>
    public string? ExecAsk { get; init; }

    /// <summary><c>defaults.askFallback</c>: deny, allowlist, full.</summary>
    public string? ExecAskFallback { get; init; }

    /// <summary>Allowlist entries that must be present (others are left alone); null = not managed.</summary>
    public IReadOnlyList<NodeDscAllowlistEntry>? Allowlist { get; init; }

    /// <summary>
    /// DSC's canonical <c>_purge</c> (write-only, never in output): true makes <see cref="Allowlist"/> the whole allowlist,
    /// so entries of exec-approvals.json not listed (for any agent) are out of the desired state and removed by set;
    /// false or null (default) leaves unlisted entries alone.
    /// </summary>
    public bool? Purge { get; init; }

    /// <summary>
    /// Write-only: the account the service runs as: scope system on Linux the user of <c>User=</c> (required there); on
    /// Windows a gMSA <c>DOMAIN\name$</c> (default: the virtual account <c>NT SERVICE\openclaw-node</c>).
    /// </summary>
    public string? ServiceAccount { get; init; }

    /// <summary>Write-only: path of an owner-only file with the gateway token, used when the service is installed.</summary>
    public string? TokenFile { get; init; }

    /// <summary>Write-only: full path of the openclaw-node the service runs (default: the one answering).</summary>
    public string? ExecutablePath { get; init; }

    /// <summary>Read-only: the host's connection state from its live status file, or null.</summary>
    public string? ConnectionState { get; init; }

    /// <summary>Read-only: set by test only.</summary>
    public bool? InDesiredState { get; init; }

    /// <summary>Parses and validates instance JSON (empty text or whitespace means <c>{}</c>).</summary>
    /// <exception cref="NodeDscInputException">Not JSON, not an object, an unknown property, or a value of the wrong type or range.</exception>
    public static NodeDscInstance Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) { return new NodeDscInstance(); }
        JsonNode? root;
        try { root = Json.Parse(text!); }
        catch (JsonException ex)
        {
            throw new NodeDscInputException(string.Empty, $"The instance is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}). Send one JSON object, for example {{\"gatewayHost\":\"gw.example.com\"}}.");
        }
        if (root is not JsonObject obj)
        {
            throw new NodeDscInputException(string.Empty, "The instance must be a JSON object, for example {\"gatewayHost\":\"gw.example.com\"}.");
        }
        foreach (var kv in obj)
        {
            if (!PropertyNames.Contains(kv.Key, StringComparer.Ordinal))
            {
                string hint = PropertyNames.FirstOrDefault(p => string.Equals(p, kv.Key, StringComparison.OrdinalIgnoreCase)) is string near ? $" Did you mean '{near}'?" : string.Empty;
                throw new NodeDscInputException(kv.Key, $"Unknown property '{kv.Key}'.{hint} Valid properties: {string.Join(", ", PropertyNames)}.");
            }
        }
        string? fp = OptString(obj, "tlsFingerprint", allowNull: true);
        if (fp is not null)
        {
            try { fp = Protocol.TlsFingerprint.Normalise(fp); }
            catch (FormatException ex) { throw new NodeDscInputException("tlsFingerprint", "Property 'tlsFingerprint': the value " + ex.Message); }
        }
        string? host = OptString(obj, "gatewayHost");
        if (host is not null && GatewayEndpoint.HostProblem(host) is string why) { throw new NodeDscInputException("gatewayHost", "Property 'gatewayHost': " + why); }
        long? port = OptInteger(obj, "gatewayPort");
        if (port is long p && (p < 1 || p > 65535))
        {
            throw new NodeDscInputException("gatewayPort", $"Property 'gatewayPort' must be an integer from 1 to 65535 (got {p}); the gateway's default is 18789.");
        }
        string? displayName = OptString(obj, "displayName");
        if (displayName is not null && (displayName.Trim().Length == 0 || displayName.Any(c => c < 0x20 || c == 0x7F)))
        {
            throw new NodeDscInputException("displayName", "Property 'displayName' must be a non-empty name on one line.");
        }
        string? stateDir = OptString(obj, "stateDirectory");
        if (stateDir is not null && stateDir.Trim().Length == 0) { throw new NodeDscInputException("stateDirectory", "Property 'stateDirectory' must not be empty; leave it out for the default."); }
        return new NodeDscInstance
        {
            StateDirectory = stateDir,
            Scope = OptEnum(obj, "scope", ScopeValues),
            Exist = OptBool(obj, "_exist"),
            Running = OptBool(obj, "running"),
            GatewayHost = host?.Trim(),
            GatewayPort = (int?)port,
            Tls = OptBool(obj, "tls"),
            HasTlsFingerprint = obj.ContainsKey("tlsFingerprint"),
            TlsFingerprint = fp,
            DisplayName = displayName?.Trim(),
            RemoteEdits = OptEnum(obj, "remoteEdits", RemoteEditValues),
            ExecSecurity = OptEnum(obj, "execSecurity", ExecModeNames.SecurityValues),
            ExecAsk = OptEnum(obj, "execAsk", ExecModeNames.AskValues),
            ExecAskFallback = OptEnum(obj, "execAskFallback", ExecModeNames.SecurityValues),
            Allowlist = ParseAllowlist(obj),
            Purge = OptBool(obj, "_purge", allowNull: true),
            ServiceAccount = OptString(obj, "serviceAccount"),
            TokenFile = OptString(obj, "tokenFile"),
            ExecutablePath = OptString(obj, "executablePath"),
            ConnectionState = OptString(obj, "connectionState", allowNull: true),
            InDesiredState = OptBool(obj, "_inDesiredState", allowNull: true),
        };
    }

    private static IReadOnlyList<NodeDscAllowlistEntry>? ParseAllowlist(JsonObject obj)
    {
        if (!obj.TryGetPropertyValue("allowlist", out JsonNode? node)) { return null; }
        if (node is not JsonArray arr) { throw Type("allowlist", "an array of {\"agentId\",\"pattern\",\"argPattern\"} objects", node); }
        var list = new List<NodeDscAllowlistEntry>();
        for (int i = 0; i < arr.Count; i++)
        {
            string at = $"allowlist[{i}]";
            if (arr[i] is not JsonObject e) { throw Type(at, "an object {\"agentId\",\"pattern\",\"argPattern\"}", arr[i]); }
            foreach (var kv in e)
            {
                if (kv.Key is not ("agentId" or "pattern" or "argPattern"))
                {
                    throw new NodeDscInputException($"{at}.{kv.Key}", $"Unknown property '{at}.{kv.Key}'. An allowlist entry has agentId, pattern and argPattern.");
                }
            }
            string? pattern = OptString(e, "pattern", name: at + ".pattern");
            if (string.IsNullOrWhiteSpace(pattern)) { throw new NodeDscInputException(at + ".pattern", $"Property '{at}.pattern' is required: the path or name glob to allow, for example /usr/bin/git."); }
            string agent = OptString(e, "agentId", name: at + ".agentId") ?? "*";
            if (agent.Trim().Length == 0) { throw new NodeDscInputException(at + ".agentId", $"Property '{at}.agentId' must not be empty; use '*' for every agent."); }
            string? argPattern = OptString(e, "argPattern", allowNull: true, name: at + ".argPattern");
            try { ExecApprovalsEditor.Validate(new ExecApprovalChange { AgentId = agent, AddPatterns = new[] { pattern! }, ArgPattern = argPattern }); }
            catch (ArgumentException ex) { throw new NodeDscInputException(at, $"Property '{at}': {ex.Message}"); }
            list.Add(new NodeDscAllowlistEntry { AgentId = agent, Pattern = pattern!, ArgPattern = argPattern });
        }
        return list;
    }

    /// <summary>
    /// The JSON object: only the properties that are set (an unknown actual value is left out); <c>serviceAccount</c>,
    /// <c>tokenFile</c> and <c>executablePath</c> are write-only and never written.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (StateDirectory is not null) { o["stateDirectory"] = StateDirectory; }
        if (Scope is not null) { o["scope"] = Scope; }
        if (Exist is bool exist) { o["_exist"] = exist; }
        if (Running is bool running) { o["running"] = running; }
        if (GatewayHost is not null) { o["gatewayHost"] = GatewayHost; }
        if (GatewayPort is int port) { o["gatewayPort"] = port; }
        if (Tls is bool tls) { o["tls"] = tls; }
        if (HasTlsFingerprint) { o["tlsFingerprint"] = TlsFingerprint; }
        if (DisplayName is not null) { o["displayName"] = DisplayName; }
        if (RemoteEdits is not null) { o["remoteEdits"] = RemoteEdits; }
        if (ExecSecurity is not null) { o["execSecurity"] = ExecSecurity; }
        if (ExecAsk is not null) { o["execAsk"] = ExecAsk; }
        if (ExecAskFallback is not null) { o["execAskFallback"] = ExecAskFallback; }
        if (Allowlist is not null) { o["allowlist"] = new JsonArray(Allowlist.Select(e => (JsonNode)e.ToJson()).ToArray()); }
        if (Exist == true || ConnectionState is not null) { o["connectionState"] = ConnectionState; }
        if (InDesiredState is bool d) { o["_inDesiredState"] = d; }
        return o;
    }

    private static string? OptString(JsonObject obj, string key, bool allowNull = false, string? name = null)
    {
        if (!obj.TryGetPropertyValue(key, out JsonNode? v)) { return null; }
        if (v is null)
        {
            if (allowNull) { return null; }
            throw Type(name ?? key, "a string", v);
        }
        if (v is JsonValue val && val.GetValueKind() == JsonValueKind.String) { return val.GetValue<string>(); }
        throw Type(name ?? key, allowNull ? "a string or null" : "a string", v);
    }

    private static bool? OptBool(JsonObject obj, string key, bool allowNull = false)
    {
        if (!obj.TryGetPropertyValue(key, out JsonNode? v)) { return null; }
        if (v is null && allowNull) { return null; }
        if (v is JsonValue val && val.GetValueKind() is JsonValueKind.True or JsonValueKind.False) { return val.GetValue<bool>(); }
        throw Type(key, "true or false", v);
    }

    private static long? OptInteger(JsonObject obj, string key)
    {
        if (!obj.TryGetPropertyValue(key, out JsonNode? v)) { return null; }
        if (v is JsonValue val && val.GetValueKind() == JsonValueKind.Number && val.TryGetValue(out long l)) { return l; }
        if (v is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue(out double x) && Math.Floor(x) == x && Math.Abs(x) < 1e15) { return (long)x; }
        throw Type(key, "an integer", v);
    }

    private static string? OptEnum(JsonObject obj, string key, string[] valid)
    {
        string? s = OptString(obj, key);
        if (s is null) { return null; }
        if (!valid.Contains(s, StringComparer.Ordinal))
        {
            throw new NodeDscInputException(key, $"Property '{key}' must be one of {string.Join(", ", valid)} (got '{s}').");
        }
        return s;
    }

    private static NodeDscInputException Type(string name, string expected, JsonNode? got) =>
        new(name, string.Format(CultureInfo.InvariantCulture, "Property '{0}' must be {1} (got {2}).", name, expected, Describe(got)));

    private static string Describe(JsonNode? v)
    {
        if (v is null) { return "null"; }
        string text = v.ToJsonString();
        if (text.Length > 40) { text = text.Substring(0, 40) + "..."; }
        string kind = v switch
        {
            JsonObject => "an object",
            JsonArray => "an array",
            JsonValue val => val.GetValueKind() switch
            {
                JsonValueKind.String => "a string",
                JsonValueKind.Number => "a number",
                JsonValueKind.True or JsonValueKind.False => "a boolean",
                _ => "a value",
            },
            _ => "a value",
        };
        return $"{kind}: {text}";
    }
}
