using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Migration;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>Import of an official OpenClaw node's state (spec §10.1 SQLite store, §10.2 legacy files) into our state directory.</summary>
public class ImportTests
{
    private const string Token = "devtok-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c1e";
    private const string SocketToken = "official-socket-token-abc";
    private const string Fingerprint = "067ec7a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b7b99";

    private static string Approvals(string socketPath) =>
        "{\n  \"version\": 1,\n  \"socket\": {\"path\": \"" + socketPath + "\", \"token\": \"" + SocketToken + "\"},\n" +
        "  \"defaults\": {\"security\": \"allowlist\", \"ask\": \"on-miss\", \"askFallback\": \"deny\"},\n" +
        "  \"agents\": {\"main\": {\"allowlist\": [{\"id\": \"e1\", \"pattern\": \"/usr/bin/git\"}, {\"id\": \"e2\", \"pattern\": \"/usr/bin/make\"}]}}\n}\n";

    /// <summary>Creates <c>state/openclaw.sqlite</c> with the exact tables of spec §10.1 and returns the open writer (WAL mode, no auto-checkpoint, so rows stay in the -wal file).</summary>
    private static SqliteConnection CreateStore(string src, DeviceIdentity id, string? storedDeviceId = null, string? configJson = null, bool withToken = true, bool withApprovals = true)
    {
        string dir = Path.Combine(src, "state");
        Directory.CreateDirectory(dir);
        var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "openclaw.sqlite"), Pooling = false }.ToString());
        conn.Open();
        Exec(conn, "PRAGMA journal_mode=WAL");
        Exec(conn, "PRAGMA wal_autocheckpoint=0");
        Exec(conn, "CREATE TABLE config_machine_state (state_key TEXT PRIMARY KEY, value_json TEXT, updated_at_ms INT)");
        Exec(conn, "CREATE TABLE device_identities (identity_key TEXT PRIMARY KEY, device_id TEXT, public_key_pem TEXT, private_key_pem TEXT, created_at_ms INT, updated_at_ms INT)");
        Exec(conn, "CREATE TABLE device_auth_tokens (device_id TEXT, role TEXT, token TEXT, scopes_json TEXT, updated_at_ms INT, PRIMARY KEY (device_id, role))");
        Exec(conn, "CREATE TABLE exec_approvals_config (config_key TEXT PRIMARY KEY, raw_json TEXT, socket_path TEXT, has_socket_token INT, default_security TEXT, default_ask TEXT, default_ask_fallback TEXT, auto_allow_skills INT, agent_count INT, allowlist_count INT, updated_at_ms INT)");
        Exec(conn, "INSERT INTO config_machine_state VALUES ('nodeHost.config', $v, 1795316416173)", ("$v", configJson ??
            "{\"version\":1,\"nodeId\":\"72be92d7-5efc-49e9-b875-dd9a063ae7f4\",\"displayName\":\"specnode\",\"gateway\":{\"host\":\"gw.example.com\",\"port\":28802,\"tls\":true,\"tlsFingerprint\":\"" + Fingerprint + "\",\"contextPath\":\"/openclaw-gw\"},\"installedAppsSharing\":false}"));
        Exec(conn, "INSERT INTO device_identities VALUES ('primary', $d, $pub, $priv, 1795316400000, 1795316400000)",
            ("$d", storedDeviceId ?? id.DeviceId), ("$pub", id.PublicKeySpkiPem), ("$priv", id.PrivateKeyPkcs8Pem));
        if (withToken)
        {
            Exec(conn, "INSERT INTO device_auth_tokens VALUES ($d, 'node', $t, '[]', 1795316416173)", ("$d", id.DeviceId), ("$t", Token));
            Exec(conn, "INSERT INTO device_auth_tokens VALUES ($d, 'operator', 'operator-token-not-ours', '[]', 1795316416173)", ("$d", id.DeviceId));
            Exec(conn, "INSERT INTO device_auth_tokens VALUES ('0000aaaa', 'node', 'stale-token-other-device', '[]', 1)");
        }
        if (withApprovals)
        {
            Exec(conn, "INSERT INTO exec_approvals_config VALUES ('current', $j, $s, 1, 'allowlist', 'on-miss', 'deny', 0, 1, 2, 1795316416173)",
                ("$j", Approvals(Path.Combine(src, "exec-approvals.sock"))), ("$s", Path.Combine(src, "exec-approvals.sock")));
        }
        return conn;
    }

    private static void Exec(SqliteConnection conn, string sql, params (string Name, string Value)[] args)
    {
        using SqliteCommand c = conn.CreateCommand();
        c.CommandText = sql;
        foreach (var (n, v) in args) { c.Parameters.AddWithValue(n, v); }
        c.ExecuteNonQuery();
    }

    /// <summary>Every file under the folder with its SHA-256 (relative path → hash).</summary>
    private static Dictionary<string, string> Hashes(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private static NodeStateImportResult Import(string src, string dst, bool dryRun = false, bool force = false) =>
        NodeStateImporter.Import(new NodeStateImportOptions { SourceDirectory = src, TargetDirectory = dst, DryRun = dryRun, Force = force });

    [Fact]
    public void Sqlite_store_in_wal_mode_is_imported_and_the_source_stays_byte_identical()
    {
        using var dir = new TempDir();
        string src = dir.Combine("official"), dst = dir.Combine("ours");
        DeviceIdentity id = DeviceIdentity.Generate();
        using SqliteConnection writer = CreateStore(src, id);
        Assert.True(new FileInfo(Path.Combine(src, "state", "openclaw.sqlite-wal")).Length > 0, "the rows must still be in the WAL file for this test");
        var before = Hashes(src);
        Assert.Contains(Path.Combine("state", "openclaw.sqlite-shm"), before.Keys);

        NodeStateImportResult r = Import(src, dst);

        Assert.Equal(before, Hashes(src));
        Assert.Equal("sqlite", r.SourceKind);
        Assert.Equal(id.DeviceId, r.DeviceId);
        var store = new NodeStateStore(dst);
        Assert.Equal(id.DeviceId, store.LoadIdentity()!.DeviceId);
        NodeConfig config = store.LoadConfig()!;
        Assert.Equal(Token, config.Token);
        Assert.Equal("72be92d7-5efc-49e9-b875-dd9a063ae7f4", config.NodeId);
        Assert.Equal("specnode", config.DisplayName);
        Assert.Equal(new GatewaySettings { Host = "gw.example.com", Port = 28802, Tls = true, TlsFingerprint = Fingerprint, ContextPath = "/openclaw-gw" }, config.Gateway);
        ExecApprovalsSnapshot ea = new ExecApprovalsStore(dst).Load();
        Assert.Null(ea.Error);
        Assert.Equal(ExecSecurity.Allowlist, EffectivePolicy.Resolve(ea.Document!, "main").Security);
        Assert.Equal(new[] { "/usr/bin/git", "/usr/bin/make" }, ea.Document!.Agents["main"].Allowlist.Select(e => e.Pattern));
        Assert.NotEqual(SocketToken, ea.Document.SocketToken);
        Assert.Equal(Path.Combine(dst, "exec-approvals.sock"), ea.Document.SocketPath);
        Assert.All(r.Items, i => Assert.Equal(NodeStateImportAction.Import, i.Action));
        Assert.Contains(r.Warnings, w => w.Contains("0000aaaa", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            foreach (string f in new[] { store.IdentityPath, store.ConfigPath, ea.Path })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
            }
        }
        // Importing again changes nothing.
        NodeStateImportResult again = Import(src, dst);
        Assert.All(again.Items, i => Assert.Equal(NodeStateImportAction.Unchanged, i.Action));
        Assert.Equal(Token, new NodeStateStore(dst).LoadConfig()!.Token);
    }

    [Fact]
    public void Dry_run_writes_nothing_and_never_shows_the_token_or_key()
    {
        using var dir = new TempDir();
        string src = dir.Combine("official"), dst = dir.Combine("ours");
        DeviceIdentity id = DeviceIdentity.Generate();
        using (CreateStore(src, id)) { }
        var before = Hashes(src);

        NodeStateImportResult r = Import(src, dst, dryRun: true);

        Assert.False(Directory.Exists(dst));
        Assert.Equal(before, Hashes(src));
        Assert.True(r.DryRun);
        Assert.True(r.HasDeviceToken);
        Assert.Equal(NodeStateImporter.Mask, r.Items.Single(i => i.Name == "deviceToken").Value);
        string json = Json.Indented(r.ToJson());
        Assert.DoesNotContain(Token, json, StringComparison.Ordinal);
        Assert.DoesNotContain(SocketToken, json, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", json, StringComparison.Ordinal);
        Assert.Contains(id.DeviceId, json, StringComparison.Ordinal);
        Assert.Contains("\"action\": \"import\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_files_cli_form_are_imported_and_the_obsolete_node_token_is_ignored()
    {
        using var dir = new TempDir();
        string src = dir.Combine("official"), dst = dir.Combine("ours");
        DeviceIdentity id = DeviceIdentity.Generate();
        Directory.CreateDirectory(Path.Combine(src, "identity"));
        File.WriteAllText(Path.Combine(src, "node.json"),
            "{\"version\":1,\"nodeId\":\"node_abc123\",\"token\":\"retired-pairing-token\",\"displayName\":\"Build Server\",\"gateway\":{\"host\":\"gateway.example.com\",\"port\":18789,\"tls\":false}}");
        File.WriteAllText(Path.Combine(src, "identity", "device.json"),
            new System.Text.Json.Nodes.JsonObject { ["version"] = 1, ["deviceId"] = id.DeviceId, ["publicKeyPem"] = id.PublicKeySpkiPem, ["privateKeyPem"] = id.PrivateKeyPkcs8Pem, ["createdAtMs"] = 1700000000000 }.ToJsonString());
        File.WriteAllText(Path.Combine(src, "identity", "device-auth.json"),
            "{\"version\":1,\"deviceId\":\"" + id.DeviceId + "\",\"tokens\":{\"node\":{\"token\":\"" + Token + "\",\"role\":\"node\",\"scopes\":[],\"updatedAtMs\":1},\"operator\":{\"token\":\"op\",\"role\":\"operator\",\"scopes\":[],\"updatedAtMs\":1}}}");
        File.WriteAllText(Path.Combine(src, "exec-approvals.json"), Approvals(Path.Combine(src, "exec-approvals.sock")));
        var before = Hashes(src);

        NodeStateImportResult r = Import(src, dst);

        Assert.Equal(before, Hashes(src));
        Assert.Equal("legacy", r.SourceKind);
        NodeConfig config = new NodeStateStore(dst).LoadConfig()!;
        Assert.Equal(Token, config.Token);
        Assert.Equal("node_abc123", config.NodeId);
        Assert.Equal("Build Server", config.DisplayName);
        Assert.Equal("gateway.example.com", config.Gateway!.Host);
        Assert.Equal(id.DeviceId, new NodeStateStore(dst).LoadIdentity()!.DeviceId);
        Assert.Equal(2, new ExecApprovalsStore(dst).Load().Document!.Agents["main"].Allowlist.Count);
        Assert.Contains(r.Warnings, w => w.Contains("obsolete 'token'", StringComparison.Ordinal));
    }

    [Fact]
    public void Legacy_app_form_with_raw_base64_keys_is_imported_with_the_recomputed_device_id()
    {
        using var dir = new TempDir();
        string src = dir.Combine("official"), dst = dir.Combine("ours");
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        DeviceIdentity id = DeviceIdentity.FromSeed(seed, 1);
        Directory.CreateDirectory(Path.Combine(src, "identity"));
        // Swift/app form: no version, standard base64 raw keys, no stored id to trust.
        File.WriteAllText(Path.Combine(src, "identity", "device.json"),
            "{\"publicKey\":\"" + Convert.ToBase64String(id.PublicKeyRaw) + "\",\"privateKey\":\"" + Convert.ToBase64String(seed) + "\",\"createdAtMs\":1}");

        NodeStateImportResult r = Import(src, dst);

        Assert.Equal(id.DeviceId, r.DeviceId);
        Assert.Equal(id.DeviceId, new NodeStateStore(dst).LoadIdentity()!.DeviceId);
        Assert.False(r.HasDeviceToken);
        Assert.Equal(NodeStateImportAction.NotFound, r.Items.Single(i => i.Name == "deviceToken").Action);
    }

    [Fact]
    public void A_stored_device_id_that_does_not_match_the_key_is_refused_and_nothing_is_written()
    {
        using var dir = new TempDir();
        string src = dir.Combine("official"), dst = dir.Combine("ours");
        using (CreateStore(src, DeviceIdentity.Generate(), storedDeviceId: new string('a', 64))) { }

        var ex = Assert.Throws<NodeStateImportException>(() => Import(src, dst));

        Assert.Equal("IdentityMismatch", ex.ErrorId);
        Assert.Contains(new string('a', 64), ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not match the key", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dst));
    }

    [Fact]
    public void A_corrupt_database_is_reported_by_name_and_left_unchanged()
    {
        using var dir = new TempDir();
        string src = dir.Combine("official"), dst = dir.Combine("ours");
        Directory.CreateDirectory(Path.Combine(src, "state"));
        string db = Path.Combine(src, "state", "openclaw.sqlite");
        File.WriteAllBytes(db, System.Text.Encoding.ASCII.GetBytes("this is not an sqlite database, it was truncated by a bad copy...".PadRight(4096, 'x')));
        var before = Hashes(src);

        var ex = Assert.Throws<NodeStateImportException>(() => Import(src, dst));

        Assert.Equal("SourceStateInvalid", ex.ErrorId);
        Assert.Equal(db, ex.Path);
        Assert.Contains(db, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, Hashes(src));
        Assert.False(Directory.Exists(dst));
    }

    [Fact]
    public void A_corrupt_legacy_identity_file_is_reported_by_name()
    {
        using var dir = new TempDir();
        string src = dir.Combine("official"), dst = dir.Combine("ours");
        Directory.CreateDirectory(Path.Combine(src, "identity"));
        string file = Path.Combine(src, "identity", "device.json");
        File.WriteAllText(file, "{\"version\":1,\"deviceId\":\"ab");

        var ex = Assert.Throws<NodeStateImportException>(() => Import(src, dst));

        Assert.Equal("SourceStateInvalid", ex.ErrorId);
        Assert.Equal(file, ex.Path);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_or_missing_source_says_where_it_looked()
    {
        using var dir = new TempDir();
        var missing = Assert.Throws<NodeStateImportException>(() => Import(dir.Combine("nope"), dir.Combine("ours")));
        Assert.Equal("SourceStateNotFound", missing.ErrorId);
        Directory.CreateDirectory(dir.Combine("empty"));
        var empty = Assert.Throws<NodeStateImportException>(() => Import(dir.Combine("empty"), dir.Combine("ours")));
        Assert.Equal("SourceStateNotFound", empty.ErrorId);
        Assert.Contains("device_identities", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_different_identity_in_the_target_is_kept_unless_forced()
    {
        using var dir = new TempDir();
        string src = dir.Combine("official"), dst = dir.Combine("ours");
        DeviceIdentity id = DeviceIdentity.Generate();
        using (CreateStore(src, id, withApprovals: false)) { }
        var target = new NodeStateStore(dst);
        DeviceIdentity mine = target.LoadOrCreateIdentity(out _);
        string identityBefore = File.ReadAllText(target.IdentityPath);

        var ex = Assert.Throws<NodeStateImportException>(() => Import(src, dst));
        Assert.Equal("TargetIdentityExists", ex.ErrorId);
        Assert.Contains(mine.DeviceId, ex.Message, StringComparison.Ordinal);
        Assert.Equal(identityBefore, File.ReadAllText(target.IdentityPath));
        Assert.Null(target.LoadConfig());

        Import(src, dst, dryRun: true, force: true);
        Assert.Equal(identityBefore, File.ReadAllText(target.IdentityPath));

        NodeStateImportResult r = Import(src, dst, force: true);
        Assert.Equal(id.DeviceId, target.LoadIdentity()!.DeviceId);
        Assert.Equal(Token, target.LoadConfig()!.Token);
        Assert.Equal(NodeStateImportAction.NotFound, r.Items.Single(i => i.Name == "execApprovals").Action);
    }

    [Fact]
    public void Different_exec_approvals_in_the_target_are_kept_unless_forced()
    {
        using var dir = new TempDir();
        string src = dir.Combine("official"), dst = dir.Combine("ours");
        using (CreateStore(src, DeviceIdentity.Generate())) { }
        var ours = new ExecApprovalsStore(dst);
        ours.Replace(ExecApprovalsDocument.Parse("{\"version\":1,\"defaults\":{\"security\":\"deny\"}}", "test"), null);

        var ex = Assert.Throws<NodeStateImportException>(() => Import(src, dst));
        Assert.Equal("TargetExecApprovalsDiffer", ex.ErrorId);
        Assert.Equal(ExecSecurity.Deny, EffectivePolicy.Resolve(ours.Load().Document!, null).Security);
        Assert.False(File.Exists(new NodeStateStore(dst).IdentityPath));

        Import(src, dst, force: true);
        Assert.Equal(ExecSecurity.Allowlist, EffectivePolicy.Resolve(ours.Load().Document!, null).Security);
    }
}

/// <summary>Import in place: both state directories default to ~/.openclaw.</summary>
public class ImportInPlaceTests
{
    [Fact]
    public void In_place_reads_only_the_database_and_writes_our_files_beside_it_without_touching_it()
    {
        using var dir = new TempDir();
        string src = dir.Combine("home-openclaw");
        DeviceIdentity id = DeviceIdentity.Generate();
        using (var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(Directory.CreateDirectory(Path.Combine(src, "state")).FullName, "openclaw.sqlite"), Pooling = false }.ToString()))
        {
            conn.Open();
            using SqliteCommand c = conn.CreateCommand();
            c.CommandText = "CREATE TABLE device_identities (identity_key TEXT PRIMARY KEY, device_id TEXT, public_key_pem TEXT, private_key_pem TEXT, created_at_ms INT, updated_at_ms INT);" +
                "INSERT INTO device_identities VALUES ('primary', $d, $pub, $priv, 1, 1)";
            c.Parameters.AddWithValue("$d", id.DeviceId);
            c.Parameters.AddWithValue("$pub", id.PublicKeySpkiPem);
            c.Parameters.AddWithValue("$priv", id.PrivateKeyPkcs8Pem);
            c.ExecuteNonQuery();
        }
        string db = Path.Combine(src, "state", "openclaw.sqlite");
        string hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(db)));

        NodeStateImportResult r = NodeStateImporter.Import(new NodeStateImportOptions { SourceDirectory = src, TargetDirectory = src });

        Assert.Equal("sqlite", r.SourceKind);
        Assert.Equal(id.DeviceId, new NodeStateStore(src).LoadIdentity()!.DeviceId);
        Assert.Equal(hash, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(db))));
        Assert.False(File.Exists(db + "-wal"));
        // Without a database, in place has nothing to import.
        using var empty = new TempDir();
        var ex = Assert.Throws<NodeStateImportException>(() => NodeStateImporter.Import(new NodeStateImportOptions { SourceDirectory = empty.Path, TargetDirectory = empty.Path }));
        Assert.Equal("SourceStateNotFound", ex.ErrorId);
    }
}
