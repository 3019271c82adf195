using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Approvals;

/// <summary>An exec-approvals document is malformed; the message names the source, the line when known, and what is wrong.</summary>
public sealed class ExecApprovalsFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExecApprovalsFormatException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>One allowlist entry (spec §9.2): <c>{id, pattern, argPattern?, source?, lastUsedAt?, lastUsedCommand?, lastResolvedPath?}</c>.</summary>
public sealed record ExecAllowlistEntry
{
    /// <summary>Stable id (a UUID, generated when missing).</summary>
    public string Id { get; init; } = Guid.NewGuid().ToString();

    /// <summary>Path glob (contains <c>/</c>, <c>\</c> or <c>~</c>) matched against the resolved real path, or a bare-name glob.</summary>
    public string Pattern { get; init; } = string.Empty;

    /// <summary>ECMAScript-style regex over the arguments, or <c>sha256:cwd-argv:v1:&lt;hex&gt;</c> binding cwd and argv exactly.</summary>
    public string? ArgPattern { get; init; }

    /// <summary>Where the entry came from, e.g. <c>allow-always</c>.</summary>
    public string? Source { get; init; }

    /// <summary>Last time a run matched the entry, Unix milliseconds.</summary>
    public long? LastUsedAt { get; init; }

    /// <summary>Command text of the last matching run.</summary>
    public string? LastUsedCommand { get; init; }

    /// <summary>Resolved executable of the last matching run.</summary>
    public string? LastResolvedPath { get; init; }
}

/// <summary>Policy values of <c>defaults</c> or of one agent entry; null means "not set here".</summary>
public sealed record ExecPolicyValues
{
    /// <summary>Security mode, or null to inherit.</summary>
    public ExecSecurity? Security { get; init; }

    /// <summary>Ask mode, or null to inherit.</summary>
    public ExecAsk? Ask { get; init; }

    /// <summary>Security applied when an approval cannot be obtained, or null to inherit.</summary>
    public ExecSecurity? AskFallback { get; init; }

    /// <summary>Whether the gateway's skill binaries count as allowlisted, or null to inherit.</summary>
    public bool? AutoAllowSkills { get; init; }
}

/// <summary>One entry of <c>agents</c>: policy overrides and an allowlist (plus fields kept verbatim, such as <c>mcpTools</c>).</summary>
public sealed record ExecAgentEntry
{
    /// <summary>The agent's overrides.</summary>
    public ExecPolicyValues Values { get; init; } = new();

    /// <summary>Allowlist entries, in file order.</summary>
    public IReadOnlyList<ExecAllowlistEntry> Allowlist { get; init; } = Array.Empty<ExecAllowlistEntry>();

    /// <summary>The <c>mcpTools</c> array, kept as written.</summary>
    public JsonArray? McpTools { get; init; }
}

/// <summary>
/// The exec-approvals document of spec §9.2, validated strictly: <c>version</c> must be 1, objects are closed (an unknown
/// field is an error, as in the gateway's schema), and an invalid mode is an error rather than "unset" (the official host
/// drops it and falls back to looser defaults; here a typo never loosens the policy). String allowlist entries become
/// <c>{pattern}</c>, entries with an empty pattern are dropped, missing ids are generated, <c>commandText</c> is stripped,
/// and a legacy <c>agents.default</c> is merged into <c>agents.main</c>.
/// </summary>
public sealed class ExecApprovalsDocument
{
    private static readonly string[] TopKeys = { "version", "socket", "defaults", "agents" };
    private static readonly string[] PolicyKeys = { "security", "ask", "askFallback", "autoAllowSkills" };
    private static readonly string[] AgentKeys = { "security", "ask", "askFallback", "autoAllowSkills", "allowlist", "mcpTools" };
    private static readonly string[] EntryKeys = { "id", "pattern", "source", "commandText", "argPattern", "lastUsedAt", "lastUsedCommand", "lastResolvedPath" };

    /// <summary>Path of the approval socket (macOS app IPC), or null.</summary>
    public string? SocketPath { get; init; }

    /// <summary>The socket token; a secret that is never returned by <c>system.execApprovals.get</c>.</summary>
    public string? SocketToken { get; init; }

    /// <summary>The <c>defaults</c> values.</summary>
    public ExecPolicyValues Defaults { get; init; } = new();

    /// <summary>Agent entries by id (<c>*</c> applies to every agent).</summary>
    public IReadOnlyDictionary<string, ExecAgentEntry> Agents { get; init; } = new Dictionary<string, ExecAgentEntry>(StringComparer.Ordinal);

    /// <summary>An empty document (all defaults).</summary>
    public static ExecApprovalsDocument Empty { get; } = new();

    /// <summary>Parses file text.</summary>
    /// <exception cref="ExecApprovalsFormatException">Not JSON, wrong version, unknown field, or invalid value.</exception>
    public static ExecApprovalsDocument Parse(string text, string source)
    {
        JsonNode? root;
        try
        {
            root = Json.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            throw new ExecApprovalsFormatException($"{source}: not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}): {FirstSentence(ex.Message)}", ex);
        }
        return FromJson(root, source);
    }

    /// <summary>Validates and normalises a parsed document (the <c>file</c> of <c>system.execApprovals.set</c>).</summary>
    /// <exception cref="ExecApprovalsFormatException">The document is not valid.</exception>
    public static ExecApprovalsDocument FromJson(JsonNode? root, string source)
    {
        if (root is not JsonObject obj) { throw Bad(source, "the document must be a JSON object"); }
        Closed(obj, TopKeys, source, "the document");
        if (obj.Long("version") != 1) { throw Bad(source, "'version' must be 1"); }
        string? socketPath = null, socketToken = null;
        if (obj["socket"] is JsonNode s)
        {
            if (s is not JsonObject so) { throw Bad(source, "'socket' must be an object"); }
            Closed(so, new[] { "path", "token" }, source, "'socket'");
            socketPath = OptString(so, "path", source, "socket.path");
            socketToken = OptString(so, "token", source, "socket.token");
        }
        ExecPolicyValues defaults = new();
        if (obj["defaults"] is JsonNode d)
        {
            if (d is not JsonObject dobj) { throw Bad(source, "'defaults' must be an object"); }
            Closed(dobj, PolicyKeys, source, "'defaults'");
            defaults = Values(dobj, source, "defaults");
        }
        var agents = new Dictionary<string, ExecAgentEntry>(StringComparer.Ordinal);
        if (obj["agents"] is JsonNode a)
        {
            if (a is not JsonObject aobj) { throw Bad(source, "'agents' must be an object"); }
            foreach (var kv in aobj)
            {
                if (kv.Key.Length == 0) { throw Bad(source, "an agent id must not be empty"); }
                if (kv.Value is not JsonObject agent) { throw Bad(source, $"'agents.{kv.Key}' must be an object"); }
                Closed(agent, AgentKeys, source, $"'agents.{kv.Key}'");
                var entry = new ExecAgentEntry
                {
                    Values = Values(agent, source, "agents." + kv.Key),
                    Allowlist = Allowlist(agent, source, kv.Key),
                    McpTools = agent["mcpTools"] is JsonNode m ? (m as JsonArray ?? throw Bad(source, $"'agents.{kv.Key}.mcpTools' must be an array")).DeepClone().AsArray() : null,
                };
                string key = kv.Key == "default" ? "main" : kv.Key;
                if (agents.TryGetValue(key, out ExecAgentEntry? existing))
                {
                    agents[key] = kv.Key == "default" ? Merge(existing, entry) : Merge(entry, existing);
                }
                else
                {
                    agents[key] = entry;
                }
            }
        }
        return new ExecApprovalsDocument { SocketPath = socketPath, SocketToken = socketToken, Defaults = defaults, Agents = agents };
    }

    private static ExecAgentEntry Merge(ExecAgentEntry main, ExecAgentEntry legacy) => new()
    {
        Values = new ExecPolicyValues
        {
            Security = main.Values.Security ?? legacy.Values.Security,
            Ask = main.Values.Ask ?? legacy.Values.Ask,
            AskFallback = main.Values.AskFallback ?? legacy.Values.AskFallback,
            AutoAllowSkills = main.Values.AutoAllowSkills ?? legacy.Values.AutoAllowSkills,
        },
        Allowlist = main.Allowlist.Concat(legacy.Allowlist).ToList(),
        McpTools = main.McpTools ?? legacy.McpTools,
    };

    private static ExecPolicyValues Values(JsonObject o, string source, string where)
    {
        string? sec = OptString(o, "security", source, where + ".security");
        string? ask = OptString(o, "ask", source, where + ".ask");
        string? fallback = OptString(o, "askFallback", source, where + ".askFallback");
        bool? auto = null;
        if (o["autoAllowSkills"] is JsonNode n)
        {
            auto = o.Bool("autoAllowSkills") ?? throw Bad(source, $"'{where}.autoAllowSkills' must be true or false");
        }
        return new ExecPolicyValues
        {
            Security = sec is null ? null : ExecModeNames.ParseSecurity(sec) ?? throw Invalid(source, where + ".security", sec, ExecModeNames.SecurityValues),
            Ask = ask is null ? null : ExecModeNames.ParseAsk(ask) ?? throw Invalid(source, where + ".ask", ask, ExecModeNames.AskValues),
            AskFallback = fallback is null ? null : ExecModeNames.ParseSecurity(fallback) ?? throw Invalid(source, where + ".askFallback", fallback, ExecModeNames.SecurityValues),
            AutoAllowSkills = auto,
        };
    }

    private static List<ExecAllowlistEntry> Allowlist(JsonObject agent, string source, string agentId)
    {
        var list = new List<ExecAllowlistEntry>();
        if (agent["allowlist"] is not JsonNode node) { return list; }
        if (node is not JsonArray arr) { throw Bad(source, $"'agents.{agentId}.allowlist' must be an array"); }
        int index = 0;
        foreach (JsonNode? item in arr)
        {
            string where = $"agents.{agentId}.allowlist[{index++}]";
            if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                string p = v.GetValue<string>().Trim();
                if (p.Length > 0) { list.Add(new ExecAllowlistEntry { Pattern = p }); }
                continue;
            }
            if (item is not JsonObject e) { throw Bad(source, $"'{where}' must be an object or a string"); }
            Closed(e, EntryKeys, source, "'" + where + "'");
            string pattern = (OptString(e, "pattern", source, where + ".pattern") ?? string.Empty).Trim();
            if (pattern.Length == 0) { continue; }
            string? argPattern = OptString(e, "argPattern", source, where + ".argPattern");
            if (argPattern is not null && !ArgPatterns.IsValid(argPattern, out string? why)) { throw Bad(source, $"'{where}.argPattern' is not a valid pattern: {why}"); }
            long? lastUsed = null;
            if (e["lastUsedAt"] is JsonNode) { lastUsed = e.Long("lastUsedAt") ?? throw Bad(source, $"'{where}.lastUsedAt' must be an integer (Unix milliseconds)"); }
            list.Add(new ExecAllowlistEntry
            {
                Id = OptString(e, "id", source, where + ".id") is string id && id.Length > 0 ? id : Guid.NewGuid().ToString(),
                Pattern = pattern,
                ArgPattern = argPattern,
                Source = OptString(e, "source", source, where + ".source"),
                LastUsedAt = lastUsed,
                LastUsedCommand = OptString(e, "lastUsedCommand", source, where + ".lastUsedCommand"),
                LastResolvedPath = OptString(e, "lastResolvedPath", source, where + ".lastResolvedPath"),
            });
        }
        return list;
    }

    private static string? OptString(JsonObject o, string name, string source, string where)
    {
        if (!o.TryGetPropertyValue(name, out JsonNode? v) || v is null) { return null; }
        return o.Str(name) ?? throw Bad(source, $"'{where}' must be a string");
    }

    private static void Closed(JsonObject o, string[] allowed, string source, string where)
    {
        foreach (var kv in o)
        {
            if (Array.IndexOf(allowed, kv.Key) < 0)
            {
                throw Bad(source, $"{where} has an unknown field '{kv.Key}' (allowed: {string.Join(", ", allowed)})");
            }
        }
    }

    private static ExecApprovalsFormatException Invalid(string source, string where, string value, string[] valid) =>
        Bad(source, $"'{where}' is '{value}', which is not one of {string.Join(", ", valid)}");

    private static ExecApprovalsFormatException Bad(string source, string what) => new($"{source}: {what}.");

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message.Substring(0, i) : message.TrimEnd('.');
    }

    /// <summary>The document as JSON. The socket token is included only when <paramref name="includeSocketToken"/>.</summary>
    public JsonObject ToJson(bool includeSocketToken)
    {
        var o = new JsonObject { ["version"] = 1 };
        if (SocketPath is not null || (includeSocketToken && SocketToken is not null))
        {
            var s = new JsonObject();
            if (SocketPath is not null) { s["path"] = SocketPath; }
            if (includeSocketToken && SocketToken is not null) { s["token"] = SocketToken; }
            o["socket"] = s;
        }
        o["defaults"] = ValuesJson(Defaults);
        var agents = new JsonObject();
        foreach (var kv in Agents)
        {
            JsonObject a = ValuesJson(kv.Value.Values);
            var list = new JsonArray();
            foreach (ExecAllowlistEntry e in kv.Value.Allowlist)
            {
                var eo = new JsonObject { ["id"] = e.Id, ["pattern"] = e.Pattern };
                if (e.ArgPattern is not null) { eo["argPattern"] = e.ArgPattern; }
                if (e.Source is not null) { eo["source"] = e.Source; }
                if (e.LastUsedAt is long t) { eo["lastUsedAt"] = t; }
                if (e.LastUsedCommand is not null) { eo["lastUsedCommand"] = e.LastUsedCommand; }
                if (e.LastResolvedPath is not null) { eo["lastResolvedPath"] = e.LastResolvedPath; }
                list.Add((JsonNode)eo);
            }
            a["allowlist"] = list;
            if (kv.Value.McpTools is not null) { a["mcpTools"] = kv.Value.McpTools.DeepClone(); }
            agents[kv.Key] = a;
        }
        o["agents"] = agents;
        return o;
    }

    private static JsonObject ValuesJson(ExecPolicyValues v)
    {
        var o = new JsonObject();
        if (v.Security is ExecSecurity s) { o["security"] = ExecModeNames.Name(s); }
        if (v.Ask is ExecAsk a) { o["ask"] = ExecModeNames.Name(a); }
        if (v.AskFallback is ExecSecurity f) { o["askFallback"] = ExecModeNames.Name(f); }
        if (v.AutoAllowSkills is bool b) { o["autoAllowSkills"] = b; }
        return o;
    }

    /// <summary>The text written to disk: the document with its socket token, pretty-printed with a trailing newline.</summary>
    public string Serialize() => Json.Indented(ToJson(includeSocketToken: true)) + "\n";

    /// <summary>A copy with some parts replaced.</summary>
    public ExecApprovalsDocument With(string? socketPath = null, string? socketToken = null, IReadOnlyDictionary<string, ExecAgentEntry>? agents = null, ExecPolicyValues? defaults = null) => new()
    {
        SocketPath = socketPath ?? SocketPath,
        SocketToken = socketToken ?? SocketToken,
        Defaults = defaults ?? Defaults,
        Agents = agents ?? Agents,
    };

    internal static string Describe(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("u", CultureInfo.InvariantCulture);
}
