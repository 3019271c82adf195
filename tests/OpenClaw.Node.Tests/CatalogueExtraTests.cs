using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>More rows of the users.md §2 catalogue and process-execution cases.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CatalogueExtraTests
{
    private sealed class AllowGate : IExecGate
    {
        public ExecDecision Evaluate(SystemRunRequest request, string cwd, string? resolvedPath) => ExecDecision.Allow;
    }

    private static SystemRunCommand Run() => new(CommandTests.Resolver, new AllowGate(), EnvPolicy.Default);

    // AP-02: rawCommand must be the canonical text of argv, or a shell wrapper's payload.
    [Theory]
    [InlineData("[\"echo\",\"hi\"]", "echo hi", true)]
    [InlineData("[\"echo\",\"hi there\"]", "echo \"hi there\"", true)]
    [InlineData("[\"/bin/sh\",\"-lc\",\"echo hi\"]", "echo hi", true)]
    [InlineData("[\"/bin/sh\",\"-lc\",\"echo hi\"]", "/bin/sh -lc \"echo hi\"", true)]
    [InlineData("[\"echo\",\"hi\"]", "echo bye", false)]
    [InlineData("[\"rm\",\"-rf\",\"/tmp/x\"]", "ls /tmp/x", false)]
    [InlineData("[\"/bin/sh\",\"-lc\",\"rm -rf ~\"]", "echo hi", false)]
    public async Task Raw_command_must_match_the_argv(string argv, string raw, bool accepted)
    {
        var p = (JsonObject)JsonNode.Parse("{\"command\":" + argv + "}")!;
        p["rawCommand"] = raw;
        CommandResult r = await Run().InvokeAsync(new CommandTests.Recorder().Context(p), default);
        if (accepted) { Assert.True(r.Ok, r.ErrorMessage); }
        else
        {
            Assert.False(r.Ok);
            Assert.Contains("RAW_COMMAND_MISMATCH", r.ErrorMessage);
        }
    }

    // EV-01, EV-08, EV-10: more override rows, case-insensitive everywhere.
    [Theory]
    [InlineData("CDPATH")]
    [InlineData("ld_preload")]
    [InlineData("path")]
    [InlineData("HTTPS_PROXY")]
    [InlineData("NODE_TLS_REJECT_UNAUTHORIZED")]
    [InlineData("SSL_CERT_FILE")]
    [InlineData("KUBECONFIG")]
    [InlineData("GLIBC_TUNABLES")]
    [InlineData("PYTHONSTARTUP")]
    [InlineData("PROMPT_COMMAND")]
    [InlineData("ZDOTDIR")]
    [InlineData("CORECLR_PROFILER")]
    public void More_dangerous_overrides_are_blocked(string key)
    {
        EnvCheck check = EnvPolicy.Default.CheckOverrides(new System.Collections.Generic.Dictionary<string, string> { [key] = "x" }, windows: false);
        Assert.Contains(key, check.Blocked);
        Assert.False(check.Ok);
    }

    [Fact]
    public void Harmless_overrides_pass()
    {
        EnvCheck check = EnvPolicy.Default.CheckOverrides(new System.Collections.Generic.Dictionary<string, string> { ["MY_SETTING"] = "1", ["LANG"] = "C.UTF-8" }, windows: false);
        Assert.True(check.Ok);
        Assert.Equal(2, check.Accepted.Count);
    }

    [Fact]
    public async Task Non_utf8_output_is_returned_with_replacement_characters_not_a_failure()
    {
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "printf", "ok \\377\\376 end" }) };
        CommandResult r = await Run().InvokeAsync(new CommandTests.Recorder().Context(p), default);
        Assert.True(r.Ok);
        JsonObject payload = (JsonObject)JsonNode.Parse(r.PayloadJson!)!;
        Assert.Equal("ok \uFFFD\uFFFD end", payload.Str("stdout"));
        Assert.Equal(0, (int)payload["exitCode"]!);
    }

    [Fact]
    public async Task Very_long_argv_is_passed_intact()
    {
        string[] args = Enumerable.Range(0, 2000).Select(i => "arg-" + i + new string('x', 50)).ToArray();
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "sh", "-c", "echo $#", "sh" }.Concat(args)) };
        CommandResult r = await Run().InvokeAsync(new CommandTests.Recorder().Context(p), default);
        JsonObject payload = (JsonObject)JsonNode.Parse(r.PayloadJson!)!;
        Assert.Equal("2000\n", payload.Str("stdout"));
    }

    // FS-04: a secret readable by others is tightened to 0600 before use.
    [Fact]
    public void A_world_readable_state_file_is_tightened()
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        File.WriteAllText(store.ConfigPath, "{\"version\":1,\"nodeId\":\"x\",\"token\":\"secret\"}");
        File.SetUnixFileMode(store.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Equal("secret", store.LoadConfig()!.Token);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.ConfigPath));
    }
}

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HardLinkTests
{
    // FS-02: a policy or state file with a second hard link is refused (fail closed).
    [Fact]
    public void A_hard_linked_policy_file_denies_everything()
    {
        if (!OperatingSystem.IsLinux()) { return; }
        using var dir = new TempDir();
        string policy = Path.Combine(dir.Path, "exec-approvals.json");
        File.WriteAllText(policy, "{\"version\":1,\"defaults\":{\"security\":\"full\"}}");
        Assert.Equal(1, FilePermissions.HardLinkCount(policy));
        using (var ln = System.Diagnostics.Process.Start("ln", new[] { policy, Path.Combine(dir.Path, "elsewhere.json") })!) { ln.WaitForExit(); Assert.Equal(0, ln.ExitCode); }
        Assert.Equal(2, FilePermissions.HardLinkCount(policy));
        var snap = new OpenClaw.Node.Approvals.ExecApprovalsStore(dir.Path).Load();
        Assert.Null(snap.Effective);
        Assert.Contains("2 hard links", snap.Error);
    }
}
