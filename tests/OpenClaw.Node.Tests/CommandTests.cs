using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using Xunit;

namespace OpenClaw.Node.Tests;

public class CommandTests
{
    internal static readonly PathResolver Resolver = PathResolver.FromEnvironment();

    internal sealed class Recorder
    {
        public ConcurrentQueue<(string Name, JsonObject Payload)> Events { get; } = new();

        public InvokeContext Context(JsonObject p, string command = "system.run") => new("inv-1", "node-1", command, p,
            30000, (name, payload, _) => { Events.Enqueue((name, payload)); return Task.CompletedTask; }, NullNodeLog.Instance);
    }

    private sealed class AllowGate : IExecGate
    {
        public ExecDecision Evaluate(SystemRunRequest request, string cwd, string? resolvedPath) => ExecDecision.Allow;
    }

    private static SystemRunCommand Run(IExecGate? gate = null) => new(Resolver, gate ?? new AllowGate(), EnvPolicy.Default);

    private static JsonObject Payload(CommandResult r)
    {
        Assert.True(r.Ok, r.ErrorMessage);
        return (JsonObject)JsonNode.Parse(r.PayloadJson!)!;
    }

    [Fact]
    public async Task Which_finds_real_binaries_and_omits_missing_ones()
    {
        var rec = new Recorder();
        var r = await new SystemWhichCommand(Resolver).InvokeAsync(rec.Context(new JsonObject { ["bins"] = Json.ToArray(new[] { "sh", "nonexistentbin-xyz" }) }, "system.which"), default);
        JsonObject bins = Payload(r).Obj("bins")!;
        Assert.Single(bins);
        string sh = bins.Str("sh")!;
        Assert.True(Path.IsPathRooted(sh));
        Assert.True(File.Exists(sh));
    }

    [Fact]
    public async Task Which_without_bins_is_invalid_request()
    {
        var r = await new SystemWhichCommand(Resolver).InvokeAsync(new Recorder().Context(new JsonObject(), "system.which"), default);
        Assert.False(r.Ok);
        Assert.Equal("INVALID_REQUEST", r.ErrorCode);
        Assert.Equal("INVALID_REQUEST: bins required", r.ErrorMessage);
    }

    [Fact]
    public void Which_honours_pathext_on_windows_style_resolvers()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("tool.cmd"), "@echo off");
        var win = new PathResolver(dir.Path, ".EXE;.CMD", windows: true);
        Assert.Equal(dir.Combine("tool.cmd"), win.Which("tool"));
        Assert.Equal(dir.Combine("tool.cmd"), win.Which("tool.cmd"));
        Assert.Null(win.Which("other"));
        Assert.Null(win.Which("sub/tool"));
    }

    [Fact]
    public void Which_skips_relative_path_entries_and_non_executables()
    {
        if (OperatingSystem.IsWindows()) { return; }
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("plain"), "data");
        var resolver = new PathResolver("relative:" + dir.Path, null, windows: false);
        Assert.Null(resolver.Which("plain"));
        File.SetUnixFileMode(dir.Combine("plain"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Assert.Equal(dir.Combine("plain"), resolver.Which("plain"));
    }

    [Fact]
    public void Which_follows_symlinks_to_their_target_and_skips_directories()
    {
        if (OperatingSystem.IsWindows()) { return; }
        using var dir = new TempDir();
        string bin = Directory.CreateDirectory(dir.Combine("bin")).FullName;
        File.WriteAllText(dir.Combine("data.txt"), "data");
        File.WriteAllText(dir.Combine("tool.sh"), "#!/bin/sh\n");
        File.SetUnixFileMode(dir.Combine("tool.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(Path.Combine(bin, "data"), dir.Combine("data.txt"));     // the link is 0777, its target is not executable
        File.CreateSymbolicLink(Path.Combine(bin, "tool"), dir.Combine("tool.sh"));
        File.CreateSymbolicLink(Path.Combine(bin, "dangling"), dir.Combine("missing"));
        Directory.CreateDirectory(Path.Combine(bin, "folder"));
        File.SetUnixFileMode(Path.Combine(bin, "folder"), (UnixFileMode)0x1ED);           // rwxr-xr-x directory
        File.CreateSymbolicLink(Path.Combine(bin, "dirlink"), Path.Combine(bin, "folder"));
        var resolver = new PathResolver(bin, null, windows: false);
        Assert.Null(resolver.Which("data"));
        Assert.Equal(Path.Combine(bin, "tool"), resolver.Which("tool"));
        Assert.Null(resolver.Which("dangling"));
        Assert.Null(resolver.Which("folder"));
        Assert.Null(resolver.Which("dirlink"));
    }

    [Fact]
    public async Task Run_returns_exit_code_stdout_and_stderr_and_sends_exec_finished_first()
    {
        var rec = new Recorder();
        var p = new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "sh", "-c", "echo out; echo err 1>&2; exit 3" }),
            ["runId"] = "run-42",
            ["sessionKey"] = "agent:main:main",
        };
        JsonObject payload = Payload(await Run().InvokeAsync(rec.Context(p), default));
        Assert.Equal(3, (int)payload["exitCode"]!);
        Assert.Equal("out\n", payload.Str("stdout"));
        Assert.Equal("err\n", payload.Str("stderr"));
        Assert.False(payload.Bool("success"));
        Assert.False(payload.Bool("timedOut"));
        Assert.Null(payload["error"]);
        Assert.True(payload.ContainsKey("error"));
        var (name, evt) = Assert.Single(rec.Events);
        Assert.Equal("exec.finished", name);
        Assert.Equal("run-42", evt.Str("runId"));
        Assert.Equal("agent:main:main", evt.Str("sessionKey"));
        Assert.Equal("node", evt.Str("host"));
        Assert.Equal("sh -c \"echo out; echo err 1>&2; exit 3\"", evt.Str("command"));
        Assert.Equal("out\n\nerr", evt.Str("output"));
        Assert.Equal(3, (int)evt["exitCode"]!);
    }

    [Fact]
    public async Task Run_passes_argv_without_a_shell()
    {
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "printf", "%s|", "a b", "$HOME", "`id`", "\"q\"", "" }) };
        JsonObject payload = Payload(await Run().InvokeAsync(new Recorder().Context(p), default));
        Assert.Equal("a b|$HOME|`id`|\"q\"||", payload.Str("stdout"));
        Assert.True(payload.Bool("success"));
    }

    [Fact]
    public async Task Run_uses_cwd_and_env_overrides()
    {
        using var dir = new TempDir();
        var p = new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "sh", "-c", "pwd; echo \"$FOO\"" }),
            ["cwd"] = dir.Path,
            ["env"] = new JsonObject { ["FOO"] = "bar", ["TERM"] = "xterm" },
        };
        JsonObject payload = Payload(await Run().InvokeAsync(new Recorder().Context(p), default));
        // A shell wrapper only keeps TERM/LANG/LC_*/COLORTERM/NO_COLOR/FORCE_COLOR overrides (spec §9.6).
        Assert.Equal(Path.GetFullPath(dir.Path) + "\n\n", payload.Str("stdout"));

        var direct = new JsonObject { ["command"] = Json.ToArray(new[] { "printenv", "FOO" }), ["env"] = new JsonObject { ["FOO"] = "bar" } };
        Assert.Equal("bar\n", Payload(await Run().InvokeAsync(new Recorder().Context(direct), default)).Str("stdout"));
    }

    [Theory]
    [InlineData("PATH")]
    [InlineData("Path")]
    [InlineData("LD_PRELOAD")]
    [InlineData("DYLD_INSERT_LIBRARIES")]
    [InlineData("NODE_OPTIONS")]
    [InlineData("BASH_ENV")]
    [InlineData("HOME")]
    [InlineData("GIT_SSH_COMMAND")]
    [InlineData("DOTNET_STARTUP_HOOKS")]
    [InlineData("JAVA_TOOL_OPTIONS")]
    [InlineData("PATHEXT")]
    [InlineData("ComSpec")]
    [InlineData("PSModulePath")]
    [InlineData("GIT_CONFIG_COUNT")]
    [InlineData("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER")]
    [InlineData("BASH_FUNC_ls%%")]
    public async Task Dangerous_env_overrides_reject_the_whole_request(string key)
    {
        var rec = new Recorder();
        using var dir = new TempDir();
        string marker = dir.Combine("ran");
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "touch", marker }), ["env"] = new JsonObject { [key] = "x" } };
        CommandResult r = await Run().InvokeAsync(rec.Context(p), default);
        Assert.False(r.Ok);
        Assert.Equal("INVALID_REQUEST", r.ErrorCode);
        Assert.Contains("SYSTEM_RUN_DENIED: environment override rejected", r.ErrorMessage);
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("A=B")]
    [InlineData("")]
    [InlineData("BAD NAME")]
    [InlineData("X\nY")]
    [InlineData("1ABC")]
    public async Task Malformed_env_names_are_rejected(string key)
    {
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "true" }), ["env"] = new JsonObject { [key] = "x" } };
        CommandResult r = await Run().InvokeAsync(new Recorder().Context(p), default);
        Assert.False(r.Ok);
        Assert.Contains("invalid non-portable override keys", r.ErrorMessage);
    }

    [Fact]
    public async Task Pager_cat_is_accepted_as_empty()
    {
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "printenv", "PAGER" }), ["env"] = new JsonObject { ["PAGER"] = "cat" } };
        Assert.Equal("\n", Payload(await Run().InvokeAsync(new Recorder().Context(p), default)).Str("stdout"));
    }

    [Fact]
    public async Task Blocked_inherited_variables_do_not_reach_the_child()
    {
        Environment.SetEnvironmentVariable("NODE_OPTIONS", "--require /tmp/evil.js");
        try
        {
            var p = new JsonObject { ["command"] = Json.ToArray(new[] { "sh", "-c", "echo \"[${NODE_OPTIONS:-unset}]\"" }) };
            Assert.Equal("[unset]\n", Payload(await Run().InvokeAsync(new Recorder().Context(p), default)).Str("stdout"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NODE_OPTIONS", null);
        }
    }

    [Fact]
    public async Task The_gateway_secrets_never_reach_the_child_even_though_the_env_policy_would_keep_them()
    {
        Assert.True(EnvPolicy.Default.KeepInherited("OPENCLAW_GATEWAY_TOKEN"));   // OpenClaw's own policy does not block them
        Environment.SetEnvironmentVariable("OPENCLAW_GATEWAY_TOKEN", "tok-for-the-host-only");
        Environment.SetEnvironmentVariable("OPENCLAW_GATEWAY_PASSWORD", "pw-for-the-host-only");
        try
        {
            var p = new JsonObject { ["command"] = Json.ToArray(new[] { "sh", "-c", "echo \"[${OPENCLAW_GATEWAY_TOKEN:-unset}][${OPENCLAW_GATEWAY_PASSWORD:-unset}][${HOME:+home}]\"" }) };
            Assert.Equal("[unset][unset][home]\n", Payload(await Run().InvokeAsync(new Recorder().Context(p), default)).Str("stdout"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENCLAW_GATEWAY_TOKEN", null);
            Environment.SetEnvironmentVariable("OPENCLAW_GATEWAY_PASSWORD", null);
        }
    }

    [Fact]
    public void The_host_sets_inline_socket_completions_for_itself_only_where_the_user_did_not_and_keeps_them_from_children()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { [HostEnvironment.InlineCompletionsVariable] = "0" };
        IReadOnlyList<string> set = HostEnvironment.TuneSocketsForHostProcess(k => env.TryGetValue(k, out string? v) ? v : null, (k, v) => env[k] = v);
        Assert.Equal(new[] { HostEnvironment.SocketThreadCountVariable }, set);
        Assert.Equal("0", env[HostEnvironment.InlineCompletionsVariable]);   // the user's choice stands
        Assert.Equal("1", env[HostEnvironment.SocketThreadCountVariable]);
        Assert.True(HostEnvironment.IsHostOnly(HostEnvironment.SocketThreadCountVariable));
        Assert.True(HostEnvironment.IsHostOnly("openclaw_gateway_token"));
        Assert.False(HostEnvironment.IsHostOnly("PATH"));

        var empty = new Dictionary<string, string>(StringComparer.Ordinal);
        Assert.Equal(new[] { HostEnvironment.InlineCompletionsVariable, HostEnvironment.SocketThreadCountVariable },
            HostEnvironment.TuneSocketsForHostProcess(k => empty.TryGetValue(k, out string? v) ? v : null, (k, v) => empty[k] = v));
        var child = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [HostEnvironment.InlineCompletionsVariable] = "1", [HostEnvironment.SocketThreadCountVariable] = "1",
            ["OPENCLAW_GATEWAY_TOKEN"] = "t", ["PATH"] = "/usr/bin",
        };
        HostEnvironment.RemoveHostOnly(child);
        Assert.Equal(new[] { "PATH" }, child.Keys);
    }

    [Fact]
    public async Task Timeout_kills_the_whole_process_tree_and_reports_124()
    {
        using var dir = new TempDir();
        string pidFile = dir.Combine("child.pid");
        var p = new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "sh", "-c", $"sleep 30 & echo $! > {pidFile}; wait" }),
            ["timeoutMs"] = 500,
        };
        var watch = Stopwatch.StartNew();
        JsonObject payload = Payload(await Run().InvokeAsync(new Recorder().Context(p), default));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
        Assert.Equal(124, (int)payload["exitCode"]!);
        Assert.True(payload.Bool("timedOut"));
        Assert.False(payload.Bool("success"));
        int grandchild = int.Parse(File.ReadAllText(pidFile).Trim());
        Assert.False(ProcessAlive(grandchild), $"grandchild {grandchild} survived the timeout");
    }

    [Fact]
    public async Task Cancel_kills_the_process_and_throws()
    {
        using var dir = new TempDir();
        string pidFile = dir.Combine("pid");
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "sh", "-c", $"echo $$ > {pidFile}; exec sleep 30" }) };
        using var cts = new CancellationTokenSource();
        Task<CommandResult> run = Run().InvokeAsync(new Recorder().Context(p), cts.Token);
        await WaitFor(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.False(ProcessAlive(int.Parse(File.ReadAllText(pidFile).Trim())));
    }

    [Fact]
    public async Task Output_is_capped_at_200000_bytes_with_the_truncated_suffix()
    {
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "sh", "-c", "head -c 300000 /dev/zero | tr '\\0' 'a'" }) };
        JsonObject payload = Payload(await Run().InvokeAsync(new Recorder().Context(p), default));
        string stdout = payload.Str("stdout")!;
        Assert.Equal(200_016, stdout.Length);
        Assert.EndsWith("\n... (truncated)", stdout);
        Assert.Equal(0, (int)payload["exitCode"]!);
    }

    [Fact]
    public async Task Combined_cap_puts_the_suffix_on_stderr_when_it_has_output()
    {
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "sh", "-c", "echo e >&2; head -c 250000 /dev/zero | tr '\\0' 'a'" }) };
        JsonObject payload = Payload(await Run().InvokeAsync(new Recorder().Context(p), default));
        Assert.Equal(200_000, payload.Str("stdout")!.Length + payload.Str("stderr")!.Length - "\n... (truncated)".Length);
        Assert.EndsWith("\n... (truncated)", payload.Str("stderr"));
    }

    [Fact]
    public async Task Unknown_binary_reports_enoent_without_exit_code()
    {
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "nonexistentbin-xyz" }) };
        JsonObject payload = Payload(await Run().InvokeAsync(new Recorder().Context(p), default));
        Assert.False(payload.ContainsKey("exitCode"));
        Assert.False(payload.Bool("success"));
        Assert.Equal("Command failed during launch or output capture (ENOENT)", payload.Str("error"));
    }

    [Fact]
    public async Task Missing_cwd_is_reported_in_the_payload()
    {
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "true" }), ["cwd"] = "/nonexistent/dir" };
        JsonObject payload = Payload(await Run().InvokeAsync(new Recorder().Context(p), default));
        Assert.StartsWith("node exec working directory does not exist on the node host: /nonexistent/dir", payload.Str("error"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"command\":[]}")]
    [InlineData("{\"command\":\"ls\"}")]
    [InlineData("{\"command\":[1,2]}")]
    [InlineData("{\"command\":[\"ls\"],\"env\":[\"A\"]}")]
    [InlineData("{\"command\":[\"ls\"],\"timeoutMs\":\"soon\"}")]
    [InlineData("{\"command\":[\"l\\u0000s\"]}")]
    public async Task Malformed_run_params_are_invalid_requests(string json)
    {
        CommandResult r = await Run().InvokeAsync(new Recorder().Context((JsonObject)JsonNode.Parse(json)!), default);
        Assert.False(r.Ok);
        Assert.Equal("INVALID_REQUEST", r.ErrorCode);
        Assert.StartsWith("INVALID_REQUEST: ", r.ErrorMessage);
    }

    private sealed class DenyGate : IExecGate
    {
        public ExecDecision Evaluate(SystemRunRequest request, string cwd, string? resolvedPath) => ExecDecision.Deny("security=deny", "SYSTEM_RUN_DISABLED: security=deny");
    }

    [Fact]
    public async Task A_denied_run_sends_exec_denied_and_runs_nothing()
    {
        using var dir = new TempDir();
        var rec = new Recorder();
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "touch", dir.Combine("ran") }), ["runId"] = "r1" };
        CommandResult r = await Run(new DenyGate()).InvokeAsync(rec.Context(p), default);
        Assert.False(r.Ok);
        Assert.Equal("SYSTEM_RUN_DENIED", r.ErrorCode);
        Assert.Equal("SYSTEM_RUN_DISABLED: security=deny", r.ErrorMessage);
        var (name, evt) = Assert.Single(rec.Events);
        Assert.Equal("exec.denied", name);
        Assert.Equal("security=deny", evt.Str("reason"));
        Assert.Equal("r1", evt.Str("runId"));
        Assert.False(File.Exists(dir.Combine("ran")));
    }

    [Fact]
    public async Task Screen_recording_requests_are_denied()
    {
        var rec = new Recorder();
        var p = new JsonObject { ["command"] = Json.ToArray(new[] { "true" }), ["needsScreenRecording"] = true };
        CommandResult r = await Run().InvokeAsync(rec.Context(p), default);
        Assert.Equal("PERMISSION_MISSING: screenRecording", r.ErrorMessage);
        Assert.Equal("permission:screenRecording", Assert.Single(rec.Events).Payload.Str("reason"));
    }

    [Theory]
    [InlineData(new[] { "echo", "hi" }, "echo hi")]
    [InlineData(new[] { "/bin/sh", "-lc", "echo hi" }, "/bin/sh -lc \"echo hi\"")]
    [InlineData(new[] { "a", "" }, "a \"\"")]
    [InlineData(new[] { "say", "\"x\"" }, "say \"\\\"x\\\"\"")]
    public void Command_text_is_canonical(string[] argv, string expected) => Assert.Equal(expected, CommandText.Format(argv));

    [Theory]
    [InlineData(new[] { "sh", "-c", "x" }, true)]
    [InlineData(new[] { "/bin/bash", "-lc", "x" }, true)]
    [InlineData(new[] { "zsh", "-xc", "x" }, true)]
    [InlineData(new[] { "bash", "script.sh" }, false)]
    [InlineData(new[] { "cmd.exe", "/d", "/s", "/c", "whoami" }, true)]
    [InlineData(new[] { "powershell", "-NoProfile", "-Command", "x" }, true)]
    [InlineData(new[] { "pwsh", "-EncodedCommand", "AAAA" }, true)]
    [InlineData(new[] { "pwsh", "-ec", "AAAA" }, true)]
    [InlineData(new[] { "pwsh", "-File", "x.ps1" }, true)]
    [InlineData(new[] { "ls", "-c" }, false)]
    public void Shell_wrappers_are_recognised(string[] argv, bool expected) => Assert.Equal(expected, ShellWrappers.IsShellWrapper(argv));

    [Theory]
    [InlineData("a", "b c", "")]
    [InlineData("quote\"inside", "trail\\", "back\\\\slash\"q")]
    [InlineData("tab\there", "new\nline")]
    public async Task Quoted_arguments_round_trip_through_the_runtime(params string[] args)
    {
        var psi = new ProcessStartInfo("printf") { Arguments = "%s\\0 " + ProcessArgs.Quote(args), RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(args, output.Split('\0')[..^1]);
    }

    internal static bool ProcessAlive(int pid)
    {
        if (!Directory.Exists($"/proc/{pid}")) { return false; }
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat.Substring(stat.LastIndexOf(')') + 2).StartsWith("Z");   // a zombie is dead
        }
        catch (IOException) { return false; }
    }

    internal static async Task WaitFor(Func<bool> condition, int timeoutMs = 10000)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.ElapsedMilliseconds > timeoutMs) { throw new TimeoutException("Condition not met in time."); }
            await Task.Delay(20);
        }
    }
}
