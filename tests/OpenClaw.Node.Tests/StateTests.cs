using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using OpenClaw.Node.Identity;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Node.Tests;

public class StateTests
{
    [Fact]
    public void Identity_is_created_once_then_reloaded_with_the_same_id()
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Combine("state"));
        DeviceIdentity first = store.LoadOrCreateIdentity(out bool created);
        Assert.True(created);
        DeviceIdentity second = new NodeStateStore(dir.Combine("state")).LoadOrCreateIdentity(out bool created2);
        Assert.False(created2);
        Assert.Equal(first.DeviceId, second.DeviceId);
        JsonObject file = (JsonObject)JsonNode.Parse(File.ReadAllText(store.IdentityPath))!;
        Assert.Equal(1, (int)file["version"]!);
        Assert.Equal(first.DeviceId, (string)file["deviceId"]!);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", (string)file["privateKeyPem"]!);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", (string)file["publicKeyPem"]!);
    }

    [Fact]
    public void Secret_files_are_0600_and_folders_0700()
    {
        if (OperatingSystem.IsWindows()) { return; }
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Combine("state"));
        store.LoadOrCreateIdentity(out _);
        var config = NodeConfig.CreateNew();
        config.Token = "secret-device-token";
        store.SaveConfig(config);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.IdentityPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.ConfigPath));
        var dirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(dirMode, File.GetUnixFileMode(store.Directory));
        Assert.Equal(dirMode, File.GetUnixFileMode(Path.GetDirectoryName(store.IdentityPath)!));
        Assert.Empty(Directory.GetFiles(store.Directory, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(store.Directory, ".*.tmp", SearchOption.AllDirectories)));
    }

    [Fact]
    public void Node_json_round_trips_and_keeps_unknown_keys()
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        File.WriteAllText(store.ConfigPath, """
        {"version":1,"nodeId":"node_abc123","token":"tok","displayName":"Build Server","custom":{"keep":true},
         "gateway":{"host":"gateway.example.com","port":18789,"tls":true,"tlsFingerprint":"06:7E:C7:10:87:56:04:22:D0:C7:0C:C2:FE:8E:9B:4E:E3:89:A3:43:24:17:46:DD:7B:20:63:3F:3E:B2:7B:99"}}
        """);
        NodeConfig config = store.LoadConfig()!;
        Assert.Equal("node_abc123", config.NodeId);
        Assert.Equal("tok", config.Token);
        Assert.Equal("Build Server", config.DisplayName);
        Assert.Equal("gateway.example.com", config.Gateway!.Host);
        Assert.True(config.Gateway.Tls);
        Assert.Equal("067ec71087560422d0c70cc2fe8e9b4ee389a343241746dd7b20633f3eb27b99", config.Gateway.TlsFingerprint);
        config.Token = null;
        store.SaveConfig(config);
        JsonObject saved = (JsonObject)JsonNode.Parse(File.ReadAllText(store.ConfigPath))!;
        Assert.False(saved.ContainsKey("token"));
        Assert.True((bool)saved["custom"]!["keep"]!);
        Assert.Equal("067ec71087560422d0c70cc2fe8e9b4ee389a343241746dd7b20633f3eb27b99", (string)saved["gateway"]!["tlsFingerprint"]!);
    }

    [Theory]
    [InlineData("{\"version\":1,\"nodeId\":\"x\",\"gateway\":{\"host\":\"h\",\"port\":18", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("[]", "top level must be a JSON object")]
    [InlineData("{\"version\":2,\"nodeId\":\"x\"}", "'version' must be 1")]
    [InlineData("{\"version\":1}", "'nodeId' must be a non-empty string")]
    [InlineData("{\"version\":1,\"nodeId\":\"x\",\"gateway\":{\"host\":\"h\",\"port\":70000}}", "'gateway.port' must be an integer from 1 to 65535")]
    [InlineData("{\"version\":1,\"nodeId\":\"x\",\"gateway\":{\"host\":\"h\",\"port\":1,\"tlsFingerprint\":\"abc\"}}", "'gateway.tlsFingerprint' must be the SHA-256")]
    [InlineData("{\"version\":1,\"nodeId\":\"x\",\"token\":5}", "'token' must be a string")]
    public void Corrupt_node_json_gives_a_clear_error_and_is_left_untouched(string content, string expected)
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        File.WriteAllText(store.ConfigPath, content);
        var ex = Assert.Throws<StateFileException>(() => store.LoadConfig());
        Assert.Contains(expected, ex.Message);
        Assert.Contains(store.ConfigPath, ex.Message);
        Assert.Equal(store.ConfigPath, ex.Path);
        Assert.Equal(content, File.ReadAllText(store.ConfigPath));
    }

    [Fact]
    public void Truncated_identity_is_reported_not_replaced()
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        store.LoadOrCreateIdentity(out _);
        string text = File.ReadAllText(store.IdentityPath);
        string truncated = text.Substring(0, text.Length / 2);
        File.WriteAllText(store.IdentityPath, truncated);
        var ex = Assert.Throws<StateFileException>(() => store.LoadOrCreateIdentity(out _));
        Assert.Contains("identity", ex.Message);
        Assert.Equal(truncated, File.ReadAllText(store.IdentityPath));
    }

    [Fact]
    public void Identity_with_a_device_id_that_does_not_match_its_key_is_refused()
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        store.LoadOrCreateIdentity(out _);
        var obj = (JsonObject)JsonNode.Parse(File.ReadAllText(store.IdentityPath))!;
        obj["deviceId"] = new string('0', 64);
        File.WriteAllText(store.IdentityPath, obj.ToJsonString());
        var ex = Assert.Throws<StateFileException>(() => store.LoadIdentity());
        Assert.Contains("does not match the key", ex.Message);
    }

    [Fact]
    public void App_form_identity_with_a_raw_seed_is_accepted()
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(store.IdentityPath)!);
        var seed = new byte[32];
        for (int i = 0; i < 32; i++) { seed[i] = (byte)i; }
        File.WriteAllText(store.IdentityPath, "{\"privateKey\":\"" + Convert.ToBase64String(seed) + "\",\"createdAtMs\":1}");
        Assert.Equal("56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c", store.LoadIdentity()!.DeviceId);
    }

    [Fact]
    public void A_symlinked_state_file_is_refused()
    {
        if (OperatingSystem.IsWindows()) { return; }
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Combine("state"));
        Directory.CreateDirectory(store.Directory);
        File.WriteAllText(dir.Combine("elsewhere.json"), "{\"version\":1,\"nodeId\":\"x\"}");
        File.CreateSymbolicLink(store.ConfigPath, dir.Combine("elsewhere.json"));
        var ex = Assert.Throws<StateFileException>(() => store.LoadConfig());
        Assert.Contains("symbolic link", ex.Message);
        Assert.Throws<StateFileException>(() => store.SaveConfig(NodeConfig.CreateNew()));
        Assert.Equal("{\"version\":1,\"nodeId\":\"x\"}", File.ReadAllText(dir.Combine("elsewhere.json")));
    }

    [Fact]
    public void A_state_file_writable_by_others_is_refused()
    {
        if (OperatingSystem.IsWindows()) { return; }
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        File.WriteAllText(store.ConfigPath, "{\"version\":1,\"nodeId\":\"x\"}");
        File.SetUnixFileMode(store.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        var ex = Assert.Throws<StateFileException>(() => store.LoadConfig());
        Assert.Contains("writable by other users", ex.Message);
    }

    [Fact]
    public void State_directory_resolution_prefers_explicit_then_environment_then_home()
    {
        Assert.Equal(Path.GetFullPath("/tmp/x"), StateDirectory.Resolve("/tmp/x"));
        string home = Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Combine(home, "abc"), StateDirectory.Resolve("~/abc"));
    }
}
