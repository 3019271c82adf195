using System;
using System.IO;
using System.Text.Json.Nodes;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>The host's own files under faults (issue 7): a crash between write and rename, a hand-edited file with duplicate keys, an unwritable target.</summary>
public sealed class StateFaultTests
{
    private static NodeConfig Saved(NodeStateStore store)
    {
        NodeConfig c = NodeConfig.CreateNew();
        c.Token = "device-token-1";
        store.SaveConfig(c);
        return c;
    }

    [Fact]
    public void A_temp_file_left_by_a_crash_between_write_and_rename_is_ignored_and_later_removed()
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        NodeConfig c = Saved(store);
        // What a crash after writing the temp file and before the rename leaves behind: a half-written sibling.
        string leftover = Path.Combine(dir.Path, ".node.json.deadbeef.tmp");
        File.WriteAllText(leftover, "{\"version\":1,\"nodeId\":\"half");
        Assert.Equal("device-token-1", store.LoadConfig()!.Token);   // the reader never looks at it

        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow - SecureFile.StaleTempAge - TimeSpan.FromMinutes(1));
        string fresh = Path.Combine(dir.Path, ".node.json.cafecafe.tmp");
        File.WriteAllText(fresh, "another writer, still busy");
        c.Token = "device-token-2";
        store.SaveConfig(c);
        Assert.False(File.Exists(leftover), "a stale temp file was not cleaned up");
        Assert.True(File.Exists(fresh), "a fresh temp file (maybe another writer's) was removed");
        Assert.Equal("device-token-2", store.LoadConfig()!.Token);
    }

    [Fact]
    public void A_hand_edited_node_json_with_a_duplicate_key_is_a_clear_error_not_a_crash()
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        string text = "{\"version\":1,\"nodeId\":\"a\",\"nodeId\":\"b\"}";
        File.WriteAllText(store.ConfigPath, text);
        var ex = Assert.Throws<StateFileException>(() => store.LoadConfig());
        Assert.Contains("not valid JSON", ex.Message);
        Assert.Equal(text, File.ReadAllText(store.ConfigPath));
    }

    [Fact]
    public void A_hand_edit_while_running_is_picked_up_by_the_next_load_and_a_save_keeps_unknown_keys()
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        NodeConfig c = Saved(store);
        var edited = (JsonObject)JsonNode.Parse(File.ReadAllText(store.ConfigPath))!;
        edited["displayName"] = "Edited By Hand";
        edited["operatorNote"] = "keep me";
        File.WriteAllText(store.ConfigPath, edited.ToJsonString());
        NodeConfig reloaded = store.LoadConfig()!;
        Assert.Equal("Edited By Hand", reloaded.DisplayName);
        reloaded.Token = "device-token-3";
        store.SaveConfig(reloaded);
        var after = (JsonObject)JsonNode.Parse(File.ReadAllText(store.ConfigPath))!;
        Assert.Equal("keep me", (string)after["operatorNote"]!);
        Assert.Equal("device-token-3", (string)after["token"]!);
    }

    [Fact]
    public void Saving_into_a_state_directory_that_cannot_be_written_is_a_clear_error_and_leaves_no_partial_file()
    {
        using var dir = new TempDir();
        // A file where the state directory should be: no permission trick needed (the tests may run as root).
        string blocked = dir.Combine("state");
        File.WriteAllText(blocked, "not a directory");
        var store = new NodeStateStore(blocked);
        NodeConfig c = NodeConfig.CreateNew();
        c.Token = "secret-device-token";
        var ex = Assert.Throws<StateFileException>(() => store.SaveConfig(c));
        Assert.Contains("writable", ex.Message);
        Assert.DoesNotContain("secret-device-token", ex.Message);
        Assert.Equal("not a directory", File.ReadAllText(blocked));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }
}
