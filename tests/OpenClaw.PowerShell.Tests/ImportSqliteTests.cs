using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// Import-OpenClawNodeState in a real PowerShell 7.6 (openclaw-pshost) over the packaged module reads an official
/// host's SQLite store (spec 10.1): Microsoft.Data.Sqlite and SQLitePCLRaw load in the module's own load context and
/// the native e_sqlite3 comes from Dependencies/native/ (the context's LoadUnmanagedDll), not from pwsh's probing.
/// </summary>
[Collection(PackagedModuleCollection.Name)]
public sealed class ImportSqliteTests
{
    private const string Token = "device-token-from-the-official-store";

    private const string Scenario = """
        $ErrorActionPreference = 'Stop'
        Import-Module $env:MANIFEST
        $plan = Import-OpenClawNodeState -Path $env:SOURCE -StateDirectory $env:TARGET -WhatIf
        'whatif-target=' + (Test-Path (Join-Path $env:TARGET 'node.json'))
        $r = Import-OpenClawNodeState -Path $env:SOURCE -StateDirectory $env:TARGET -Confirm:$false
        'kind=' + $r.SourceKind
        'device=' + $r.DeviceId
        'name=' + $r.DisplayName
        'token=' + $r.DeviceToken
        'gateway=' + $r.Gateway
        'out=' + ($r | Out-String).Contains($env:TOKEN)
        [AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { $_.GetName().Name -in 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3' } |
            ForEach-Object { 'asm={0}|{1}|{2}' -f $_.GetName().Name, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).GetType().Name, $_.Location }
        Get-Content "/proc/$PID/maps" | Where-Object { $_ -match 'e_sqlite3' } | ForEach-Object { 'native=' + ($_ -split '\s+')[-1] } | Select-Object -Unique
        """;

    private readonly PackagedModule _module;

    public ImportSqliteTests(PackagedModule module) => _module = module;

    /// <summary>Creates <c>state/openclaw.sqlite</c> (the tables of spec 10.1) around the identity the packaged host created in <paramref name="identityDir"/>.</summary>
    private static void CreateStore(string source, string identityDir)
    {
        var id = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(identityDir, "identity", "device.json")))!;
        string dir = Path.Combine(source, "state");
        Directory.CreateDirectory(dir);
        using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "openclaw.sqlite"), Pooling = false }.ToString());
        conn.Open();
        void Exec(string sql, params (string Name, string Value)[] args)
        {
            using SqliteCommand c = conn.CreateCommand();
            c.CommandText = sql;
            foreach ((string n, string v) in args) { c.Parameters.AddWithValue(n, v); }
            c.ExecuteNonQuery();
        }
        Exec("CREATE TABLE config_machine_state (state_key TEXT PRIMARY KEY, value_json TEXT, updated_at_ms INT)");
        Exec("CREATE TABLE device_identities (identity_key TEXT PRIMARY KEY, device_id TEXT, public_key_pem TEXT, private_key_pem TEXT, created_at_ms INT, updated_at_ms INT)");
        Exec("CREATE TABLE device_auth_tokens (device_id TEXT, role TEXT, token TEXT, scopes_json TEXT, updated_at_ms INT, PRIMARY KEY (device_id, role))");
        Exec("CREATE TABLE exec_approvals_config (config_key TEXT PRIMARY KEY, raw_json TEXT, socket_path TEXT, has_socket_token INT, default_security TEXT, default_ask TEXT, default_ask_fallback TEXT, auto_allow_skills INT, agent_count INT, allowlist_count INT, updated_at_ms INT)");
        Exec("INSERT INTO config_machine_state VALUES ('nodeHost.config', $v, 1795316416173)",
            ("$v", "{\"version\":1,\"nodeId\":\"72be92d7-5efc-49e9-b875-dd9a063ae7f4\",\"displayName\":\"sqlite-node\",\"gateway\":{\"host\":\"gw.example.com\",\"port\":28802,\"tls\":true}}"));
        Exec("INSERT INTO device_identities VALUES ('primary', $d, $pub, $priv, 1795316400000, 1795316400000)",
            ("$d", id["deviceId"]!.GetValue<string>()), ("$pub", id["publicKeyPem"]!.GetValue<string>()), ("$priv", id["privateKeyPem"]!.GetValue<string>()));
        Exec("INSERT INTO device_auth_tokens VALUES ($d, 'node', $t, '[]', 1795316416173)", ("$d", id["deviceId"]!.GetValue<string>()), ("$t", Token));
    }

    [Fact]
    public void The_cmdlet_reads_an_official_sqlite_store_inside_the_modules_load_context()
    {
        string root = Path.Combine(Path.GetTempPath(), "openclaw-sqlite-" + Guid.NewGuid().ToString("N")[..12]);
        string identity = Path.Combine(root, "identity-maker"), source = Path.Combine(root, "official"), target = Path.Combine(root, "ours");
        try
        {
            // A real device identity, made by the packaged host itself.
            string host = Path.Combine(_module.Folder, "bin", _module.Rid, "openclaw-node");
            ProcessResult made = ChildProcess.Run(host, new[] { "identity", "--state-dir", identity, "--json" }, TimeSpan.FromMinutes(1));
            Assert.True(made.ExitCode == 0, made.Output + made.Error);
            string deviceId = JsonNode.Parse(made.Output)!["deviceId"]!.GetValue<string>();
            CreateStore(source, identity);

            ProcessResult r = ChildProcess.RunPowerShell(Scenario, TimeSpan.FromMinutes(2),
                ("MANIFEST", _module.Manifest), ("SOURCE", source), ("TARGET", target), ("TOKEN", Token));
            Assert.True(r.ExitCode == 0, $"The scenario failed (exit {r.ExitCode}):\n{r.Output}\n{r.Error}");
            string[] lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("whatif-target=False", lines);
            Assert.Contains("kind=sqlite", lines);
            Assert.Contains("device=" + deviceId, lines);
            Assert.Contains("name=sqlite-node", lines);
            Assert.Contains("token=True", lines);
            Assert.Contains("out=False", lines);
            Assert.Contains(lines, l => l.StartsWith("gateway=wss://gw.example.com:28802", StringComparison.Ordinal));

            // The managed SQLite parts in the module's own context, from Dependencies/; the native library from Dependencies/native/.
            string deps = Path.Combine(_module.Folder, "Dependencies");
            string[][] asm = lines.Where(l => l.StartsWith("asm=", StringComparison.Ordinal)).Select(l => l[4..].Split('|')).ToArray();
            Assert.Equal(3, asm.Length);
            Assert.All(asm, a =>
            {
                Assert.Equal("DependencyLoadContext", a[1]);
                Assert.Equal(deps, Path.GetDirectoryName(a[2]));
            });
            Assert.Contains("native=" + Path.Combine(deps, "native", "libe_sqlite3.so"), lines);

            // What was imported is what the store held.
            string nodeJson = File.ReadAllText(Path.Combine(target, "node.json"));
            Assert.Contains(Token, nodeJson);
            Assert.Equal(deviceId, JsonNode.Parse(File.ReadAllText(Path.Combine(target, "identity", "device.json")))!["deviceId"]!.GetValue<string>());
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
