using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Migration;

/// <summary>
/// Carries an official OpenClaw node's state into this host's state directory so that the node keeps its pairing:
/// the device identity (key pair), the node-role device token, the gateway endpoint, display name, instance id and
/// exec approvals.
/// <para>
/// Sources (spec §10): the SQLite store <c>&lt;source&gt;/state/openclaw.sqlite</c> of 2026.9+ releases
/// (<c>config_machine_state</c> row <c>nodeHost.config</c>, <c>device_identities</c> row <c>primary</c>,
/// <c>device_auth_tokens</c> role <c>node</c>, <c>exec_approvals_config</c> row <c>current</c>) and, for anything the
/// store lacks, the legacy files <c>node.json</c>, <c>identity/device.json</c> (CLI PEM form or app raw-key form),
/// <c>identity/device-auth.json</c> and <c>exec-approvals.json</c>. The legacy <c>node.json</c> <c>token</c> (of the
/// retired node-pairing store) is ignored.
/// </para>
/// <para>
/// The source is never modified: the database and its <c>-wal</c> file are copied into a private (0700) temporary
/// folder, opened there read-only, and the copy is deleted; legacy files are read without touching their permissions.
/// The device id is always recomputed from the key; a stored id that differs is refused. Target files are written
/// atomically with mode 0600 (<see cref="NodeStateStore"/>, exec-approvals.json).
/// </para>
/// </summary>
public static class NodeStateImporter
{
    /// <summary>The masked form of a secret in results and output.</summary>
    public const string Mask = "********";

    /// <summary>Reads the source state and, unless <see cref="NodeStateImportOptions.DryRun"/>, writes it to the target.</summary>
    /// <exception cref="NodeStateImportException">Nothing to import, a corrupt source, an identity mismatch, or a conflict in the target (see its ErrorId).</exception>
    public static NodeStateImportResult Import(NodeStateImportOptions options)
    {
        if (options is null) { throw new ArgumentNullException(nameof(options)); }
        string src = Path.GetFullPath(options.SourceDirectory);
        string dst = Path.GetFullPath(options.TargetDirectory);
        if (!Directory.Exists(src))
        {
            throw new NodeStateImportException("SourceStateNotFound", src, $"The OpenClaw state directory '{src}' does not exist. Pass the official install's state directory (its OPENCLAW_STATE_DIR, default ~/.openclaw).");
        }
        var s = new SourceState();
        string db = Path.Combine(src, "state", "openclaw.sqlite");
        bool sqlite = File.Exists(db);
        // In place (both default to ~/.openclaw): the SQLite store is the source and the legacy-named files beside it
        // are this host's own files, i.e. the target, so they are not read as a source.
        bool inPlace = string.Equals(src.TrimEnd(Path.DirectorySeparatorChar), dst.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);
        if (inPlace && !sqlite)
        {
            throw new NodeStateImportException("SourceStateNotFound", db,
                $"The source and target state directory are the same ('{src}') and it has no OpenClaw state database ({db}) to import. Pass the official install's state directory with -Path (--from).");
        }
        if (sqlite) { ReadSqlite(db, s); }
        bool legacy = !inPlace && ReadLegacy(src, s);
        if (s.Identity is null)
        {
            throw new NodeStateImportException("SourceStateNotFound", src,
                $"No device identity found in '{src}' (looked in {db} table device_identities and {Path.Combine(src, "identity", "device.json")}). " +
                "Without it the pairing cannot be carried over; check the path (the official host's OPENCLAW_STATE_DIR).");
        }
        string kind = sqlite && legacy ? "sqlite+legacy" : sqlite ? "sqlite" : "legacy";
        return Apply(options, src, dst, kind, s);
    }

    private static NodeStateImportResult Apply(NodeStateImportOptions options, string src, string dst, string kind, SourceState s)
    {
        DeviceIdentity identity = s.Identity!;
        var store = new NodeStateStore(dst);
        var approvals = new ExecApprovalsStore(dst);
        var items = new List<NodeStateImportItem>();

        // Identity: refuse to replace a different one unless forced.
        DeviceIdentity? existing = null;
        try { existing = store.LoadIdentity(); }
        catch (StateFileException ex) when (options.Force) { s.Warnings.Add("Replacing the unreadable target identity: " + ex.Message); }
        catch (StateFileException ex)
        {
            throw new NodeStateImportException("TargetStateInvalid", ex.Path, ex.Message + " Use -Force (--force) to replace it with the imported identity.", ex);
        }
        if (existing is not null && existing.DeviceId != identity.DeviceId && !options.Force)
        {
            throw new NodeStateImportException("TargetIdentityExists", store.IdentityPath,
                $"'{store.IdentityPath}' already holds a different device identity ({existing.DeviceId}); the import would replace it with {identity.DeviceId} and the old device would lose its pairing. " +
                "Use a fresh state directory, or -Force (--force) to replace it.");
        }
        bool identitySame = existing is not null && existing.DeviceId == identity.DeviceId;
        items.Add(new NodeStateImportItem("identity", identitySame ? NodeStateImportAction.Unchanged : NodeStateImportAction.Import, identity.DeviceId, s.IdentityFrom, store.IdentityPath));

        // node.json: keep the target's other settings when it belongs to the same device (or is forced).
        NodeConfig? config = null;
        try { config = store.LoadConfig(); }
        catch (StateFileException ex) when (options.Force) { s.Warnings.Add("Replacing the unreadable target node.json: " + ex.Message); }
        catch (StateFileException ex)
        {
            throw new NodeStateImportException("TargetStateInvalid", ex.Path, ex.Message + " Use -Force (--force) to replace it.", ex);
        }
        string? oldToken = config?.Token, oldName = config?.DisplayName, oldNodeId = config?.NodeId;
        GatewaySettings? oldGateway = config?.Gateway;
        config ??= NodeConfig.CreateNew();
        if (s.NodeId is not null) { config.NodeId = s.NodeId; }
        if (s.DisplayName is not null) { config.DisplayName = s.DisplayName; }
        if (s.Gateway is not null) { config.Gateway = s.Gateway; }
        // The token belongs to the identity: keep the target's token only when it is the same device and the source has none.
        config.Token = s.Token ?? (identitySame ? config.Token : null);
        items.Add(Item("deviceToken", s.Token is null ? null : Mask, s.TokenFrom, store.ConfigPath, s.Token is not null && s.Token == oldToken && identitySame));
        items.Add(Item("gateway", s.Gateway is null ? null : Describe(s.Gateway), s.ConfigFrom, store.ConfigPath, s.Gateway is not null && oldGateway is not null && oldGateway == s.Gateway));
        items.Add(Item("displayName", s.DisplayName, s.ConfigFrom, store.ConfigPath, s.DisplayName is not null && s.DisplayName == oldName));
        items.Add(Item("nodeId", s.NodeId, s.ConfigFrom, store.ConfigPath, s.NodeId is not null && s.NodeId == oldNodeId));

        // exec-approvals.json: the policy moves; the official host's socket path and token do not (fresh ones here).
        ExecApprovalsDocument? newApprovals = null;
        if (s.Approvals is not null)
        {
            ExecApprovalsSnapshot current = approvals.Load();
            if (current.Error is not null && !options.Force)
            {
                throw new NodeStateImportException("TargetStateInvalid", approvals.FilePath, current.Error + " Use -Force (--force) to replace it with the imported exec approvals.");
            }
            bool same = current.Document is not null && PolicyText(current.Document) == PolicyText(s.Approvals);
            if (current.Exists && current.Error is null && !same && !options.Force)
            {
                throw new NodeStateImportException("TargetExecApprovalsDiffer", approvals.FilePath,
                    $"'{approvals.FilePath}' already holds different exec approvals. Compare them with Get-OpenClawExecApproval (openclaw-node approvals get), then use -Force (--force) to replace them with the imported ones.");
            }
            items.Add(new NodeStateImportItem("execApprovals", same ? NodeStateImportAction.Unchanged : NodeStateImportAction.Import, Summary(s.Approvals), s.ApprovalsFrom, approvals.FilePath));
            if (!same)
            {
                newApprovals = s.Approvals.With(
                    socketPath: current.Document?.SocketPath ?? Path.Combine(dst, "exec-approvals.sock"),
                    socketToken: current.Document?.SocketToken ?? NewToken());
            }
        }
        else
        {
            items.Add(new NodeStateImportItem("execApprovals", NodeStateImportAction.NotFound, null, null, null));
        }

        if (!options.DryRun)
        {
            try
            {
                if (!identitySame) { store.SaveIdentity(identity); }
                store.SaveConfig(config);
                if (newApprovals is not null) { SecureFile.WriteAllText(approvals.FilePath, newApprovals.Serialize()); }
            }
            catch (StateFileException ex)
            {
                throw new NodeStateImportException("TargetWriteFailed", ex.Path, ex.Message, ex);
            }
        }
        return new NodeStateImportResult(src, kind, dst, options.DryRun, identity.DeviceId, s.NodeId, s.DisplayName, s.Gateway,
            s.Token is not null, s.Approvals is not null, items, s.Warnings);
    }

    private static NodeStateImportItem Item(string name, string? value, string? from, string target, bool unchanged) =>
        value is null ? new NodeStateImportItem(name, NodeStateImportAction.NotFound, null, null, null)
        : new NodeStateImportItem(name, unchanged ? NodeStateImportAction.Unchanged : NodeStateImportAction.Import, value, from, target);

    private static string Describe(GatewaySettings g) =>
        (g.Tls ? "wss://" : "ws://") + g.Host + ":" + g.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + (g.ContextPath ?? string.Empty)
        + (g.TlsFingerprint is null ? string.Empty : " (pinned " + g.TlsFingerprint.Substring(0, 12) + "…)");

    private static string Summary(ExecApprovalsDocument d)
    {
        int entries = 0;
        foreach (var kv in d.Agents) { entries += kv.Value.Allowlist.Count; }
        EffectivePolicy eff = EffectivePolicy.Resolve(d, null);
        return $"{eff.Describe()}; {d.Agents.Count} agent(s), {entries} allowlist entr{(entries == 1 ? "y" : "ies")}";
    }

    private static string PolicyText(ExecApprovalsDocument d)
    {
        JsonObject o = d.ToJson(includeSocketToken: false);
        o.Remove("socket");
        return Json.Serialize(o);
    }

    private static string NewToken()
    {
        var b = new byte[24];
        using (var rng = RandomNumberGenerator.Create()) { rng.GetBytes(b); }
        return Base64Url.Encode(b);
    }

    // ------------------------------------------------------------------ SQLite store (spec §10.1)

    private static void ReadSqlite(string db, SourceState s)
    {
        // Copy the database (and its write-ahead log) into a private folder and read the copy: even a read-only
        // connection to a WAL database writes the -shm index, and the source must stay byte-for-byte unchanged.
        string temp = Path.Combine(Path.GetTempPath(), "openclaw-import-" + Guid.NewGuid().ToString("N"));
        SecureFile.EnsureDirectory(temp);
        FilePermissions.RestrictDirectory(temp);
        string copy = Path.Combine(temp, "openclaw.sqlite");
        try
        {
            try
            {
                File.Copy(db, copy);
                if (File.Exists(db + "-wal")) { File.Copy(db + "-wal", copy + "-wal"); }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw Invalid(db, $"Could not read '{db}': {ex.Message} Run the import as the user that owns the OpenClaw install.", ex);
            }
            try { SQLitePCL.Batteries_V2.Init(); }
            catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
            {
                throw new NodeStateImportException("SqliteUnavailable", db,
                    $"Cannot read '{db}': the SQLite native library (e_sqlite3) that ships with this module/host could not be loaded ({ex.Message.TrimEnd('.')}). Reinstall the module or host for this platform; the source was left unchanged.", ex);
            }
            var csb = new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
            try
            {
                using var conn = new SqliteConnection(csb.ToString());
                conn.Open();
                ReadTables(conn, db, s);
            }
            catch (SqliteException ex)
            {
                throw Invalid(db, $"'{db}' is not a readable OpenClaw state database ({ex.Message.TrimEnd('.')}). It may be corrupt or from an unsupported release; it was left unchanged.", ex);
            }
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { s.Warnings.Add($"Could not delete the temporary copy '{temp}': {ex.Message} Delete it by hand (it holds the device key)."); }
        }
    }

    private static void ReadTables(SqliteConnection conn, string db, SourceState s)
    {
        var tables = new HashSet<string>(StringComparer.Ordinal);
        using (SqliteCommand c = conn.CreateCommand())
        {
            c.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using SqliteDataReader r = c.ExecuteReader();
            while (r.Read()) { tables.Add(r.GetString(0)); }
        }

        if (tables.Contains("device_identities"))
        {
            using SqliteCommand c = conn.CreateCommand();
            c.CommandText = "SELECT device_id, public_key_pem, private_key_pem, created_at_ms FROM device_identities WHERE identity_key = 'primary'";
            using SqliteDataReader r = c.ExecuteReader();
            if (r.Read())
            {
                string where = db + "#device_identities";
                string? stored = r.IsDBNull(0) ? null : r.GetString(0);
                string? pub = r.IsDBNull(1) ? null : r.GetString(1);
                string? priv = r.IsDBNull(2) ? null : r.GetString(2);
                long created = r.IsDBNull(3) ? 0 : r.GetInt64(3);
                if (priv is null) { throw Invalid(db, $"'{where}' row 'primary' has no private_key_pem; the identity cannot be imported. The source was left unchanged."); }
                DeviceIdentity id;
                try { id = DeviceIdentity.FromPkcs8Pem(priv, created); }
                catch (FormatException ex) { throw Invalid(db, $"'{where}' row 'primary' holds an unusable private key ({ex.Message.TrimEnd('.')}). The source was left unchanged.", ex); }
                CheckPublicKey(db, where, pub, id);
                CheckDeviceId(db, where, stored, id);
                s.Identity = id;
                s.IdentityFrom = where;
            }
        }

        if (tables.Contains("device_auth_tokens") && s.Identity is not null)
        {
            using SqliteCommand c = conn.CreateCommand();
            c.CommandText = "SELECT device_id, token FROM device_auth_tokens WHERE role = 'node'";
            using SqliteDataReader r = c.ExecuteReader();
            while (r.Read())
            {
                string? dev = r.IsDBNull(0) ? null : r.GetString(0);
                string? token = r.IsDBNull(1) ? null : r.GetString(1);
                if (string.IsNullOrEmpty(token)) { continue; }
                if (string.Equals(dev, s.Identity.DeviceId, StringComparison.OrdinalIgnoreCase)) { s.Token = token; s.TokenFrom = db + "#device_auth_tokens"; }
                else { s.Warnings.Add($"Ignored a node device token in {db}#device_auth_tokens for device {dev}: it does not belong to the imported identity."); }
            }
        }

        if (tables.Contains("config_machine_state"))
        {
            using SqliteCommand c = conn.CreateCommand();
            c.CommandText = "SELECT value_json FROM config_machine_state WHERE state_key = 'nodeHost.config'";
            object? v = c.ExecuteScalar();
            if (v is string json) { ReadNodeConfig(json, db + "#config_machine_state", db, s, legacyFile: false); }
        }

        if (tables.Contains("exec_approvals_config"))
        {
            using SqliteCommand c = conn.CreateCommand();
            c.CommandText = "SELECT raw_json FROM exec_approvals_config WHERE config_key = 'current'";
            object? v = c.ExecuteScalar();
            if (v is string json)
            {
                string where = db + "#exec_approvals_config";
                try { s.Approvals = ExecApprovalsDocument.Parse(json, where); }
                catch (ExecApprovalsFormatException ex) { throw Invalid(db, ex.Message + " The source was left unchanged.", ex); }
                s.ApprovalsFrom = where;
            }
        }
    }

    // ------------------------------------------------------------------ legacy files (spec §10.2)

    private static bool ReadLegacy(string src, SourceState s)
    {
        bool any = false;
        string devicePath = Path.Combine(src, "identity", "device.json");
        if (ReadText(devicePath) is string deviceText)
        {
            any = true;
            DeviceIdentity id = ParseLegacyIdentity(devicePath, deviceText);
            if (s.Identity is null) { s.Identity = id; s.IdentityFrom = devicePath; }
            else if (s.Identity.DeviceId != id.DeviceId)
            {
                s.Warnings.Add($"Ignored the stale legacy identity '{devicePath}' (device {id.DeviceId}): the SQLite store's identity {s.Identity.DeviceId} is the current one.");
            }
        }

        string authPath = Path.Combine(src, "identity", "device-auth.json");
        if (ReadText(authPath) is string authText)
        {
            any = true;
            JsonObject auth = ParseObject(authPath, authText);
            string? dev = auth.Str("deviceId");
            string? token = auth.Obj("tokens").Obj("node").Str("token");
            if (s.Token is null && !string.IsNullOrEmpty(token))
            {
                if (s.Identity is not null && string.Equals(dev, s.Identity.DeviceId, StringComparison.OrdinalIgnoreCase)) { s.Token = token; s.TokenFrom = authPath; }
                else { s.Warnings.Add($"Ignored the node token in '{authPath}': it belongs to device {dev ?? "(none)"}, not to the imported identity."); }
            }
        }

        string nodePath = Path.Combine(src, "node.json");
        if (ReadText(nodePath) is string nodeText)
        {
            any = true;
            if (s.ConfigFrom is null) { ReadNodeConfig(nodeText, nodePath, nodePath, s, legacyFile: true); }
        }

        string approvalsPath = Path.Combine(src, "exec-approvals.json");
        if (ReadText(approvalsPath) is string approvalsText)
        {
            any = true;
            if (s.Approvals is null)
            {
                try { s.Approvals = ExecApprovalsDocument.Parse(approvalsText, approvalsPath); }
                catch (ExecApprovalsFormatException ex) { throw Invalid(approvalsPath, ex.Message + " The source was left unchanged.", ex); }
                s.ApprovalsFrom = approvalsPath;
            }
        }
        return any;
    }

    private static DeviceIdentity ParseLegacyIdentity(string path, string text)
    {
        JsonObject obj = ParseObject(path, text);
        long created = obj.Long("createdAtMs") ?? 0;
        DeviceIdentity id;
        try
        {
            if (obj.Str("privateKeyPem") is string pem)
            {
                id = DeviceIdentity.FromPkcs8Pem(pem, created);
                CheckPublicKey(path, path, obj.Str("publicKeyPem"), id);
            }
            else if (obj.Str("privateKey") is string seed)
            {
                id = DeviceIdentity.FromSeed(Base64Url.Decode(seed), created);
                if (obj.Str("publicKey") is string pub && Base64Url.Encode(Base64Url.Decode(pub)) != id.PublicKeyBase64Url)
                {
                    throw Invalid(path, $"'{path}' is not a valid device identity: 'publicKey' does not belong to 'privateKey'. The source was left unchanged.");
                }
            }
            else
            {
                throw Invalid(path, $"'{path}' is not a valid device identity: it has neither 'privateKeyPem' nor 'privateKey'. The source was left unchanged.");
            }
        }
        catch (FormatException ex) { throw Invalid(path, $"'{path}' is not a valid device identity: {ex.Message.TrimEnd('.')}. The source was left unchanged.", ex); }
        catch (ArgumentException ex) { throw Invalid(path, $"'{path}' is not a valid device identity: {ex.Message.TrimEnd('.')}. The source was left unchanged.", ex); }
        CheckDeviceId(path, path, obj.Str("deviceId"), id);
        return id;
    }

    private static void ReadNodeConfig(string json, string where, string file, SourceState s, bool legacyFile)
    {
        JsonObject obj = ParseObject(file, json, where);
        if (obj.Long("version") is long v && v != 1) { throw Invalid(file, $"'{where}' has version {v}; only version 1 is understood. The source was left unchanged."); }
        string? nodeId = obj.Str("nodeId");
        s.NodeId = string.IsNullOrWhiteSpace(nodeId) ? null : nodeId;
        s.DisplayName = obj.Str("displayName");
        if (obj["gateway"] is JsonNode g)
        {
            if (g is not JsonObject go) { throw Invalid(file, $"'{where}': 'gateway' must be an object. The source was left unchanged."); }
            string? host = go.Str("host");
            long? port = go.Long("port");
            if (string.IsNullOrWhiteSpace(host) || port is null or < 1 or > 65535)
            {
                throw Invalid(file, $"'{where}': 'gateway' needs a non-empty 'host' and a 'port' from 1 to 65535. The source was left unchanged.");
            }
            string? fp = go.Str("tlsFingerprint");
            if (fp is not null)
            {
                try { fp = Protocol.TlsFingerprint.Normalise(fp); }
                catch (FormatException ex) { throw Invalid(file, $"'{where}': 'gateway.tlsFingerprint' {ex.Message} The source was left unchanged.", ex); }
            }
            string? ctx = go.Str("contextPath");
            s.Gateway = new GatewaySettings { Host = host!, Port = (int)port.Value, Tls = go.Bool("tls") ?? false, TlsFingerprint = fp, ContextPath = string.IsNullOrEmpty(ctx) ? null : ctx };
        }
        if (obj["commands"] is JsonArray) { s.Warnings.Add($"The saved command list ('commands' in {where}) is not carried over: this host advertises its own commands."); }
        if (obj["cloudflareAccess"] is not null) { s.Warnings.Add($"The Cloudflare Access settings in {where} are not carried over."); }
        if (legacyFile && obj.Str("token") is not null) { s.Warnings.Add($"Ignored the obsolete 'token' in '{file}' (retired node-pairing store); node auth uses the device token."); }
        s.ConfigFrom = where;
    }

    private static void CheckPublicKey(string file, string where, string? pubPem, DeviceIdentity id)
    {
        if (pubPem is null) { return; }
        byte[] pub;
        try { pub = DeviceIdentity.PublicKeyFromSpkiPem(pubPem); }
        catch (FormatException ex) { throw Invalid(file, $"'{where}' holds an unusable public key ({ex.Message.TrimEnd('.')}). The source was left unchanged.", ex); }
        if (Base64Url.Encode(pub) != id.PublicKeyBase64Url)
        {
            throw new NodeStateImportException("IdentityMismatch", file, $"'{where}': the public key does not belong to the private key. The identity cannot be trusted and was not imported; the source was left unchanged.");
        }
    }

    private static void CheckDeviceId(string file, string where, string? stored, DeviceIdentity id)
    {
        if (stored is not null && !string.Equals(stored, id.DeviceId, StringComparison.OrdinalIgnoreCase))
        {
            throw new NodeStateImportException("IdentityMismatch", file,
                $"'{where}': the stored device id {stored} does not match the key, which gives {id.DeviceId}. The identity cannot be trusted and was not imported; the source was left unchanged.");
        }
    }

    private static JsonObject ParseObject(string file, string text, string? where = null)
    {
        where ??= file;
        JsonNode? root;
        try { root = JsonNode.Parse(text); }
        catch (JsonException ex)
        {
            throw Invalid(file, $"'{where}' is not valid JSON (line {(ex.LineNumber ?? 0) + 1}): it may be truncated or corrupt. The source was left unchanged.", ex);
        }
        return root as JsonObject ?? throw Invalid(file, $"'{where}' is not a JSON object. The source was left unchanged.");
    }

    /// <summary>Reads a legacy file without changing it (no permission tightening), or null when it does not exist.</summary>
    private static string? ReadText(string path)
    {
        if (!File.Exists(path)) { return null; }
        try { return File.ReadAllText(path, new UTF8Encoding(false, true)); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw Invalid(path, $"Could not read '{path}': {ex.Message}", ex);
        }
    }

    private static NodeStateImportException Invalid(string path, string message, Exception? inner = null) =>
        new("SourceStateInvalid", path, message, inner);

    private sealed class SourceState
    {
        public DeviceIdentity? Identity;
        public string? IdentityFrom;
        public string? Token;
        public string? TokenFrom;
        public string? NodeId;
        public string? DisplayName;
        public GatewaySettings? Gateway;
        public string? ConfigFrom;
        public ExecApprovalsDocument? Approvals;
        public string? ApprovalsFrom;
        public readonly List<string> Warnings = new();
    }
}
