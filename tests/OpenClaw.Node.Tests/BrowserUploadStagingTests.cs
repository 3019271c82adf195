using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Browser;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Internal;
using Xunit;

namespace OpenClaw.Node.Tests;

public class BrowserUploadStagingTests
{
    private static JsonObject Envelope(params (string Name, string Base64)[] files) => new()
    {
        ["envelope"] = "browser-upload-v1",
        ["files"] = new JsonArray(files.Select(f => (JsonNode?)new JsonObject { ["name"] = f.Name, ["contentBase64"] = f.Base64 }).ToArray()),
    };

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Stages_private_copies_and_hands_their_paths_to_the_route()
    {
        using var dir = new TempDir();
        var body = new JsonObject { ["ref"] = "e4", ["targetId"] = "t1" };
        (string staged, JsonObject result) = BrowserUploadStaging.Stage(dir.Path, "POST", "/hooks/file-chooser", body,
            Envelope(("notes.txt", B64("hello")), ("../../etc/passwd", B64("not a path escape"))));
        Assert.StartsWith(Path.Combine(dir.Path, "browser", "uploads", ".proxy-uploads", "upload-"), staged);
        Assert.Equal("e4", result.Str("ref"));
        Assert.False(body.ContainsKey("paths"));
        string[] paths = result.StrArray("paths")!.ToArray();
        Assert.Equal(new[] { Path.Combine(staged, "0", "notes.txt"), Path.Combine(staged, "1", "passwd") }, paths);
        Assert.Equal("hello", File.ReadAllText(paths[0]));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(paths[0]));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(staged));
        }
        BrowserUploadStaging.Discard(staged);
        Assert.False(Directory.Exists(staged));
    }

    [Theory]
    [InlineData("GET", "/hooks/file-chooser", "{}", "INVALID_REQUEST: browser proxy upload requires the file chooser route")]
    [InlineData("POST", "/act", "{}", "INVALID_REQUEST: browser proxy upload requires the file chooser route")]
    [InlineData("POST", "/hooks/file-chooser", "{\"paths\":[\"/etc/passwd\"]}", "INVALID_REQUEST: browser proxy upload body must omit paths")]
    public void Refuses_the_wrong_route_or_a_body_with_paths(string method, string path, string body, string expected)
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<BrowserProxyException>(() => BrowserUploadStaging.Stage(dir.Path, method, path, JsonNode.Parse(body), Envelope(("a.txt", B64("a")))));
        Assert.Equal("INVALID_REQUEST", ex.Code);
        Assert.Equal(expected, ex.Message);
    }

    [Theory]
    [InlineData("{\"envelope\":\"other\",\"files\":[{\"name\":\"a\",\"contentBase64\":\"YQ==\"}]}", "INVALID_REQUEST: invalid browser proxy upload envelope")]
    [InlineData("{\"envelope\":\"browser-upload-v1\",\"files\":[]}", "INVALID_REQUEST: invalid browser proxy upload envelope")]
    [InlineData("{\"envelope\":\"browser-upload-v1\",\"files\":[{\"name\":\" \",\"contentBase64\":\"YQ==\"}]}", "INVALID_REQUEST: invalid browser proxy upload file")]
    [InlineData("{\"envelope\":\"browser-upload-v1\",\"files\":[{\"name\":\"a\",\"contentBase64\":\"YQ\"}]}", "INVALID_REQUEST: invalid browser proxy upload encoding")]
    [InlineData("{\"envelope\":\"browser-upload-v1\",\"files\":[{\"name\":\"a\",\"contentBase64\":\"YR==\"}]}", "INVALID_REQUEST: invalid browser proxy upload encoding")]
    public void Refuses_a_malformed_envelope(string envelope, string expected)
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<BrowserProxyException>(() => BrowserUploadStaging.Stage(dir.Path, "POST", "/hooks/file-chooser", new JsonObject(), JsonNode.Parse(envelope)));
        Assert.Equal(expected, ex.Message);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "browser", "uploads", ".proxy-uploads")) &&
            Directory.GetDirectories(Path.Combine(dir.Path, "browser", "uploads", ".proxy-uploads")).Length > 0);
    }

    [Fact]
    public void Refuses_a_file_over_10_MiB()
    {
        using var dir = new TempDir();
        string big = Convert.ToBase64String(new byte[10 * 1024 * 1024 + 1]);
        var ex = Assert.Throws<BrowserProxyException>(() => BrowserUploadStaging.Stage(dir.Path, "POST", "/hooks/file-chooser", new JsonObject(), Envelope(("big.bin", big))));
        Assert.Equal("browser proxy file exceeds 10 MiB limit", ex.Message);
        string justOver = Convert.ToBase64String(new byte[9 * 1024 * 1024]);
        var total = Assert.Throws<BrowserProxyException>(() => BrowserUploadStaging.Stage(dir.Path, "POST", "/hooks/file-chooser", new JsonObject(), Envelope(("a.bin", justOver), ("b.bin", justOver))));
        Assert.Equal("browser proxy files exceed 16 MiB aggregate limit", total.Message);
    }

    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("C:\\Users\\me\\a<b>.txt", "a_b_.txt")]
    [InlineData("..", "upload")]
    [InlineData("100%!.txt", "100__.txt")]
    public void Names_keep_only_a_safe_last_segment(string name, string expected) => Assert.Equal(expected, BrowserUploadStaging.SafeName(name));

    [Fact]
    public async Task Upload_command_needs_an_envelope_and_owned_tab_close_matches_nothing()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("openclaw.json"), "{}");
        var feature = BrowserProxyFeature.Load(dir.Path);
        var upload = new BrowserProxyCommand(dir.Path, feature, upload: true);
        Assert.Equal("browser.proxy.upload.v1", upload.Name);
        CommandResult noEnvelope = await upload.RunAsync(new JsonObject { ["method"] = "POST", ["path"] = "/hooks/file-chooser", ["body"] = new JsonObject() }, default);
        Assert.Equal("INVALID_REQUEST: browser.proxy.upload.v1 requires an upload envelope", noEnvelope.ErrorMessage);

        var plain = new BrowserProxyCommand(dir.Path, feature);
        CommandResult get = await plain.RunAsync(new JsonObject { ["path"] = "/__openclaw/session-tab/close-owned" }, default);
        Assert.Equal("INVALID_REQUEST: owned tab close requires POST", get.ErrorMessage);
        CommandResult owned = await plain.RunAsync(new JsonObject
        {
            ["method"] = "POST", ["path"] = "/__openclaw/session-tab/close-owned", ["errorEnvelope"] = "browser-v1",
            ["body"] = new JsonObject { ["ownership"] = new JsonObject { ["status"] = "durable", ["nativeTargetId"] = "ABC" } },
        }, default);
        Assert.True(owned.Ok);
        JsonNode payload = JsonNode.Parse(owned.PayloadJson!)!;
        Assert.Equal("ownership-mismatch", payload["result"].Str("status"));
        Assert.Equal("resolved", payload["route"].Str("status"));
    }
}
