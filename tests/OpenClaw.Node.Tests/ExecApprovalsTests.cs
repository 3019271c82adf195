using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>The exec-approvals engine against real files and real executables in a temp folder (users.md §2 catalogue).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ExecApprovalsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _bin;
    private readonly string _bin2;
    private readonly string _state;
    private readonly ExecApprovalsStore _store;
    private PathResolver _resolver;

    public ExecApprovalsTests()
    {
        _bin = _dir.Combine("bin");
        _bin2 = _dir.Combine("bin2");
        _state = _dir.Combine("state");
        Directory.CreateDirectory(_bin);
        Directory.CreateDirectory(_bin2);
        Directory.CreateDirectory(_state);
        foreach (string name in new[] { "tool", "python3", "whoami", "other" }) { Exe(_bin, name); }
        File.CreateSymbolicLink(Path.Combine(_bin, "date"), Path.Combine(_bin, "tool"));
        File.CreateSymbolicLink(Path.Combine(_bin, "innocent"), "/bin/sh");
        _resolver = new PathResolver(_bin + ":/usr/bin:/bin", null, windows: false);
        _store = new ExecApprovalsStore(_state);
    }

    public void Dispose() => _dir.Dispose();

    private static string Exe(string dir, string name)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, "#!/bin/sh\necho " + name + " \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private void Policy(string json) => File.WriteAllText(_store.FilePath, json);

    private ExecApprovalGate Gate() => new(_store, _resolver, windows: false, clock: () => 1_800_000_000_000);

    private static SystemRunRequest Req(string json)
    {
        Assert.True(SystemRunCommand.TryParse((JsonObject)JsonNode.Parse(json)!, out SystemRunRequest? r, out string? problem), problem);
        return r!;
    }

    private ExecDecision Decide(string requestJson, string? cwd = null) => Gate().Evaluate(Req(requestJson), cwd ?? _dir.Path, null);

    private static void Denied(ExecDecision d, string reason, params string[] inMessage)
    {
        Assert.False(d.Allowed, "expected a denial");
        Assert.Equal(reason, d.Reason);
        foreach (string s in inMessage) { Assert.Contains(s, d.Message); }
    }

    private string Allowlist(string agent, params string[] entries) =>
        "{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"off\"},\"agents\":{\"" + agent + "\":{\"allowlist\":[" + string.Join(",", entries) + "]}}}";

    [Fact]
    public void No_file_means_the_official_defaults_full_and_off()
    {
        Assert.True(Decide("{\"command\":[\"tool\"]}").Allowed);
        EffectivePolicy p = EffectivePolicy.Resolve(ExecApprovalsDocument.Empty, null);
        Assert.Equal(ExecSecurity.Full, p.Security);
        Assert.Equal(ExecAsk.Off, p.Ask);
        Assert.Equal(ExecSecurity.Deny, p.AskFallback);
    }

    [Fact]
    public void Security_deny_denies_everything_and_says_where_it_comes_from()
    {
        Policy("{\"version\":1,\"defaults\":{\"security\":\"deny\"}}");
        Denied(Decide("{\"command\":[\"tool\"]}"), "security=deny", "SYSTEM_RUN_DISABLED: security=deny", "defaults.security");
    }

    [Fact]
    public void Agent_overrides_beat_defaults_and_star_and_the_allowlist_is_additive()
    {
        Policy("{\"version\":1,\"defaults\":{\"security\":\"deny\"},\"agents\":{\"*\":{\"security\":\"allowlist\",\"allowlist\":[{\"pattern\":\"" + _bin + "/other\"}]},\"main\":{\"allowlist\":[{\"pattern\":\"" + _bin + "/tool\"}]}}}");
        Assert.True(Decide("{\"command\":[\"tool\"],\"agentId\":\"main\"}").Allowed);
        Assert.True(Decide("{\"command\":[\"other\"],\"agentId\":\"main\"}").Allowed);
        // Without an agent id only "*" and defaults apply (spec §9.3, observed on the real host).
        Denied(Decide("{\"command\":[\"tool\"]}"), "allowlist-miss", _bin + "/tool", "security=allowlist");
        Assert.True(Decide("{\"command\":[\"other\"]}").Allowed);
    }

    [Fact]
    public void Allowlist_miss_names_the_resolved_path_and_the_policy()
    {
        Policy(Allowlist("main", "{\"pattern\":\"" + _bin + "/other\"}"));
        Denied(Decide("{\"command\":[\"tool\",\"x\"],\"agentId\":\"main\"}"), "allowlist-miss", "SYSTEM_RUN_DENIED: allowlist miss", _bin + "/tool", "agent 'main'");
    }

    [Fact]
    public void Ask_always_requires_an_approval_even_for_allowlisted_commands()
    {
        Policy("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"always\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"" + _bin + "/tool\"}]}}}");
        Denied(Decide("{\"command\":[\"tool\"],\"agentId\":\"main\"}"), "approval-required", "SYSTEM_RUN_DENIED: approval required", "ask=always");
    }

    [Fact]
    public void Ask_on_miss_asks_only_on_a_miss()
    {
        Policy("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"on-miss\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"" + _bin + "/tool\"}]}}}");
        Assert.True(Decide("{\"command\":[\"tool\"],\"agentId\":\"main\"}").Allowed);
        Denied(Decide("{\"command\":[\"other\"],\"agentId\":\"main\"}"), "approval-required", "matches no allowlist entry");
    }

    // AP-01: approved flags are only honoured with a matching plan (the gateway strips unverified ones; we check again).
    [Fact]
    public void Approved_without_a_plan_is_refused()
    {
        Policy(Allowlist("main"));
        Denied(Decide("{\"command\":[\"tool\"],\"agentId\":\"main\",\"approved\":true,\"approvalDecision\":\"allow-always\"}"), "approval-required", "explicit approval requires matching systemRunPlan");
    }

    [Fact]
    public async Task Prepared_and_approved_runs_are_bound_to_argv_cwd_policy_and_file_content()
    {
        Policy(Allowlist("main"));
        var prepare = new SystemRunPrepareCommand(_store, Gate(), EnvPolicy.Default, () => _dir.Path);
        var rec = new CommandTests.Recorder();
        CommandResult prepared = await prepare.InvokeAsync(rec.Context((JsonObject)JsonNode.Parse("{\"command\":[\"tool\",\"a b\"],\"agentId\":\"main\",\"sessionKey\":\"s1\"}")!, "system.run.prepare"), default);
        Assert.True(prepared.Ok, prepared.ErrorMessage);
        JsonObject plan = ((JsonObject)JsonNode.Parse(prepared.PayloadJson!)!).Obj("plan")!;
        Assert.Equal(_bin + "/tool", plan.StrArray("argv")![0]);
        Assert.Equal(_bin + "/tool \"a b\"", plan.Str("commandText"));
        Assert.Equal(Hex.Sha256(File.ReadAllBytes(_bin + "/tool")), plan.Obj("mutableFileOperand").Str("sha256"));
        Assert.Equal("allowlist", plan.Obj("policySnapshot").Str("security"));

        JsonObject Run(JsonObject p, Action<JsonObject>? edit = null)
        {
            var r = new JsonObject
            {
                ["command"] = p["argv"]!.DeepClone(), ["rawCommand"] = p.Str("commandText"), ["cwd"] = p.Str("cwd"),
                ["agentId"] = "main", ["sessionKey"] = "s1", ["approved"] = true, ["approvalDecision"] = "allow-once", ["systemRunPlan"] = p.DeepClone(),
            };
            edit?.Invoke(r);
            return r;
        }
        ExecDecision Eval(JsonObject r) => Gate().Evaluate(Req(r.ToJsonString()), r.Str("cwd")!, null);

        Assert.True(Eval(Run(plan)).Allowed);
        // AP-03: argv, cwd or session edited after the approval was requested.
        Denied(Eval(Run(plan, r => r["command"] = Json.ToArray(new[] { _bin + "/tool", "other" }))), "approval-required", "argv differs");
        Denied(Eval(Run(plan, r => r["cwd"] = _bin)), "approval-required", "cwd differs");
        Denied(Eval(Run(plan, r => r["sessionKey"] = "s2")), "approval-required", "session differs");
        // SW-11: the approved file changed.
        File.AppendAllText(_bin + "/tool", "# changed\n");
        Denied(Eval(Run(plan)), "approval-required", "approval script operand drift");
        // The policy changed since the plan was made.
        File.WriteAllText(_bin + "/tool", File.ReadAllText(_bin + "/tool").Replace("# changed\n", string.Empty));
        Assert.True(Eval(Run(plan)).Allowed);
        Policy("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"on-miss\"}}");
        Denied(Eval(Run(plan)), "approval-required", "exec approval policy changed");
    }

    [Fact]
    public void Approval_bound_runs_refuse_a_symlinked_cwd()
    {
        Directory.CreateDirectory(_dir.Combine("real"));
        Directory.CreateSymbolicLink(_dir.Combine("link"), _dir.Combine("real"));
        Policy(Allowlist("main"));
        var plan = new JsonObject { ["argv"] = Json.ToArray(new[] { _bin + "/tool" }), ["commandText"] = _bin + "/tool", ["cwd"] = _dir.Combine("link") };
        var r = new JsonObject { ["command"] = Json.ToArray(new[] { _bin + "/tool" }), ["cwd"] = _dir.Combine("link"), ["agentId"] = "main", ["approved"] = true, ["systemRunPlan"] = plan };
        Denied(Gate().Evaluate(Req(r.ToJsonString()), _dir.Combine("link"), null), "approval-required", "symbolic link");
    }

    // AP-09: an approval that timed out never allows more than the allowlist, even with askFallback full.
    [Theory]
    [InlineData("full")]
    [InlineData("allowlist")]
    [InlineData("deny")]
    public void Approval_timeout_never_becomes_allow(string fallback)
    {
        Policy("{\"version\":1,\"defaults\":{\"security\":\"full\",\"ask\":\"always\",\"askFallback\":\"" + fallback + "\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"" + _bin + "/tool\"}]}}}");
        ExecDecision miss = Decide("{\"command\":[\"other\"],\"agentId\":\"main\",\"approvalSource\":\"ask-fallback\",\"approved\":true}");
        Assert.False(miss.Allowed);
        ExecDecision hit = Decide("{\"command\":[\"tool\"],\"agentId\":\"main\",\"approvalSource\":\"ask-fallback\"}");
        Assert.Equal(fallback != "deny", hit.Allowed);
    }

    // SW-01..SW-05, SW-12, SW-14: shells, command hosts and wrappers are never auto-allowed, whatever the allowlist says.
    [Theory]
    [InlineData("[\"cmd.exe\",\"/d\",\"/s\",\"/c\",\"whoami & net user x y /add\"]")]
    [InlineData("[\"powershell\",\"-NoProfile\",\"-Command\",\"whoami; iwr http://x\"]")]
    [InlineData("[\"pwsh\",\"-c\",\"whoami\"]")]
    [InlineData("[\"pwsh\",\"-EncodedCommand\",\"dwBoAG8AYQBtAGkA\"]")]
    [InlineData("[\"pwsh\",\"-File\",\"x.ps1\"]")]
    [InlineData("[\"sh\",\"-c\",\"whoami\"]")]
    [InlineData("[\"/bin/sh\",\"-lc\",\"whoami\"]")]
    [InlineData("[\"bash\",\"-c\",\"whoami $(id)\"]")]
    [InlineData("[\"env\",\"sh\",\"-c\",\"whoami\"]")]
    [InlineData("[\"env\",\"cmd.exe\",\"/c\",\"whoami\"]")]
    [InlineData("[\"/usr/bin/env\",\"BASH_ENV=/tmp/x\",\"bash\",\"-lc\",\"echo SAFE\"]")]
    [InlineData("[\"nice\",\"-n\",\"5\",\"sh\",\"-c\",\"whoami\"]")]
    [InlineData("[\"timeout\",\"5\",\"bash\",\"-c\",\"whoami\"]")]
    [InlineData("[\"nohup\",\"zsh\",\"-c\",\"whoami\"]")]
    [InlineData("[\"sudo\",\"whoami\"]")]
    [InlineData("[\"xargs\",\"whoami\"]")]
    [InlineData("[\"bash\",\"script.sh\"]")]
    [InlineData("[\"innocent\"]")]
    [InlineData("[\"wsl\",\"whoami\"]")]
    [InlineData("[\"cscript\",\"x.vbs\"]")]
    public void Shell_wrappers_and_command_hosts_are_never_allowlisted(string argv)
    {
        Policy(Allowlist("main", "{\"pattern\":\"*\"}", "{\"pattern\":\"whoami\"}", "{\"pattern\":\"" + _bin + "/**\"}", "{\"pattern\":\"/usr/bin/*\"}", "{\"pattern\":\"/bin/*\"}"));
        ExecDecision d = Decide("{\"command\":" + argv + ",\"agentId\":\"main\"}");
        Denied(d, "allowlist-miss");
    }

    [Fact]
    public void Simple_dispatch_wrappers_are_unwrapped_to_the_real_command()
    {
        Policy(Allowlist("main", "{\"pattern\":\"" + _bin + "/tool\"}"));
        Assert.True(Decide("{\"command\":[\"nice\",\"-n\",\"5\",\"tool\"],\"agentId\":\"main\"}").Allowed);
        Assert.True(Decide("{\"command\":[\"timeout\",\"-s\",\"KILL\",\"5\",\"tool\"],\"agentId\":\"main\"}").Allowed);
        Assert.True(Decide("{\"command\":[\"env\",\"tool\"],\"agentId\":\"main\"}").Allowed);
        Denied(Decide("{\"command\":[\"env\",\"FOO=1\",\"tool\"],\"agentId\":\"main\"}"), "allowlist-miss", "variable assignments");
        Denied(Decide("{\"command\":[\"nice\",\"-n\",\"5\",\"other\"],\"agentId\":\"main\"}"), "allowlist-miss");
    }

    // SW-06: standing rules may not name a shell; lookalike names are fine.
    [Theory]
    [InlineData("bash", true)]
    [InlineData("/bin/sh", true)]
    [InlineData("C:\\Windows\\System32\\cmd.exe", true)]
    [InlineData("\"pwsh.exe\"", true)]
    [InlineData("PowerShell", true)]
    [InlineData("wsl.exe", true)]
    [InlineData("wscript", true)]
    [InlineData("C:\\tools\\run.bat", true)]
    [InlineData("mycmd.exe", false)]
    [InlineData("bashful.exe", false)]
    [InlineData("/usr/bin/git", false)]
    public void Rules_naming_a_shell_are_refused(string pattern, bool refused)
    {
        var doc = ExecApprovalsDocument.FromJson(JsonNode.Parse("{\"version\":1,\"agents\":{\"main\":{\"allowlist\":[" + new JsonArray(JsonValue.Create(pattern)).ToJsonString().Trim('[', ']') + "]}}}"), "test");
        Assert.Equal(refused, ExecApprovalsSetCommand.ValidatePatterns(doc) is not null);
    }

    // SW-07: argument-bound grants.
    [Fact]
    public void Arg_patterns_bind_arguments()
    {
        Policy(Allowlist("main", "{\"pattern\":\"python3\",\"argPattern\":\"^safe\\\\.py$\"}"));
        Assert.True(Decide("{\"command\":[\"python3\",\"safe.py\"],\"agentId\":\"main\"}").Allowed);
        Denied(Decide("{\"command\":[\"python3\",\"evil.py\"],\"agentId\":\"main\"}"), "allowlist-miss");
        Denied(Decide("{\"command\":[\"python3\",\"safe.py\",\"--x\"],\"agentId\":\"main\"}"), "allowlist-miss");
    }

    // SW-08: cwd+argv bindings do not travel to another directory.
    [Fact]
    public void Cwd_argv_bindings_match_only_the_same_cwd_and_argv()
    {
        string binding = ArgPatterns.CwdArgv(_bin, new[] { "tool", "x" });
        Policy(Allowlist("main", "{\"pattern\":\"" + _bin + "/tool\",\"argPattern\":\"" + binding + "\",\"source\":\"allow-always\"}"));
        Assert.True(Decide("{\"command\":[\"tool\",\"x\"],\"agentId\":\"main\"}", _bin).Allowed);
        Denied(Decide("{\"command\":[\"tool\",\"x\"],\"agentId\":\"main\"}", _bin2), "allowlist-miss");
        Denied(Decide("{\"command\":[\"tool\",\"y\"],\"agentId\":\"main\"}", _bin), "allowlist-miss");
    }

    // Vectors computed with openclaw@2026.9.6's own buildCwdBoundHashedArgPattern (the spec's 7cef70... was taken from a
    // capture whose cwd had been redacted to /srv/oc, so it cannot be reproduced from the redacted value).
    [Theory]
    [InlineData("/srv/oc", "sha256:cwd-argv:v1:db6e93584e0646d98ed6e8b24c7ea948c67b20052afac08e6673bb25622cd434", "/usr/bin/echo", "hi")]
    [InlineData("/srv/oc", "sha256:cwd-argv:v1:59573b0f08fee440ea0ce6ae64cef79b46a744be9d6173418d33fa93845231de", "/usr/bin/id")]
    [InlineData("/tmp/a b/../c", "sha256:cwd-argv:v1:65369e69b4a0709b8ca2ac4e502939cadbef59a8574152909f2b6d019a3e7d92", "/usr/bin/echo", "hi", "héllo wörld")]
    public void Cwd_argv_binding_matches_the_reference_implementation(string cwd, string expected, params string[] argv) =>
        Assert.Equal(expected, ArgPatterns.CwdArgv(cwd, argv));

    // SW-09: bare names only match PATH-invoked commands.
    [Fact]
    public void Bare_names_only_match_commands_found_on_path()
    {
        Policy(Allowlist("main", "{\"pattern\":\"tool\"}"));
        Assert.True(Decide("{\"command\":[\"tool\"],\"agentId\":\"main\"}").Allowed);
        Denied(Decide("{\"command\":[\"./tool\"],\"agentId\":\"main\"}", _bin), "allowlist-miss");
        Denied(Decide("{\"command\":[\"" + _bin + "/tool\"],\"agentId\":\"main\"}"), "allowlist-miss");
    }

    // SW-10: symlinked binaries match on the name they were invoked by and on their real target; a link to a shell never matches.
    [Fact]
    public void Symlinked_binaries_match_their_path_or_target_but_links_to_shells_do_not()
    {
        Policy(Allowlist("main", "{\"pattern\":\"" + _bin + "/date\"}"));
        Assert.True(Decide("{\"command\":[\"date\"],\"agentId\":\"main\"}").Allowed);
        Policy(Allowlist("main", "{\"pattern\":\"" + _bin + "/tool\"}"));
        Assert.True(Decide("{\"command\":[\"date\"],\"agentId\":\"main\"}").Allowed);
        Policy(Allowlist("main", "{\"pattern\":\"" + _bin + "/innocent\"}"));
        Denied(Decide("{\"command\":[\"innocent\"],\"agentId\":\"main\"}"), "allowlist-miss", "shell or command host");
    }

    // SW-11: a binary planted earlier on PATH does not inherit a grant for another path.
    [Fact]
    public void A_binary_planted_earlier_on_path_does_not_match()
    {
        Policy(Allowlist("main", "{\"pattern\":\"" + _bin + "/tool\"}"));
        Assert.True(Decide("{\"command\":[\"tool\"],\"agentId\":\"main\"}").Allowed);
        Exe(_bin2, "tool");
        _resolver = new PathResolver(_bin2 + ":" + _bin, null, windows: false);
        Denied(Decide("{\"command\":[\"tool\"],\"agentId\":\"main\"}"), "allowlist-miss", _bin2 + "/tool");
    }

    // SW-13: glob edge cases.
    [Theory]
    [InlineData("/usr/bin/*", "/usr/bin/git", false, true)]
    [InlineData("/usr/bin/*", "/usr/bin/sub/git", false, false)]
    [InlineData("/usr/**", "/usr/bin/sub/git", false, true)]
    [InlineData("/usr/**/git", "/usr/bin/sub/git", false, true)]
    [InlineData("/usr/**/git", "/usr/bin/sub/gitx", false, false)]
    [InlineData("gi?", "git", false, true)]
    [InlineData("gi?", "gi/", false, false)]
    [InlineData("/usr/bin/Git", "/usr/bin/git", false, false)]
    [InlineData("C:\\Tools\\*.exe", "c:/tools/GIT.EXE", true, true)]
    [InlineData("C:/Tools/*.exe", "C:\\Tools\\sub\\git.exe", true, false)]
    [InlineData("/usr/bin/g(it)", "/usr/bin/g(it)", false, true)]
    public void Globs_follow_the_spec(string pattern, string path, bool windows, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(pattern, path, windows));

    // FS-01, FS-05: broken or unsafe files deny everything and say why.
    [Theory]
    [InlineData("{\"version\":1,\"defaults\":{\"security\":\"full\"}", "not valid JSON (line 1")]
    [InlineData("{\"version\":2}", "'version' must be 1")]
    [InlineData("{\"version\":1,\"defaults\":{\"security\":\"fulll\"}}", "'defaults.security' is 'fulll', which is not one of deny, allowlist, full")]
    [InlineData("{\"version\":1,\"defaults\":{\"ask\":\"sometimes\"}}", "not one of off, on-miss, always")]
    [InlineData("{\"version\":1,\"extra\":true}", "unknown field 'extra'")]
    [InlineData("{\"version\":1,\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"x\",\"evil\":1}]}}}", "unknown field 'evil'")]
    [InlineData("{\"version\":1,\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"x\",\"argPattern\":\"(\"}]}}}", "argPattern' is not a valid pattern")]
    [InlineData("[]", "must be a JSON object")]
    public void Malformed_policy_files_deny_everything_with_the_reason(string content, string expected)
    {
        Policy(content);
        ExecDecision d = Decide("{\"command\":[\"tool\"]}");
        Denied(d, "security=deny", expected, _store.FilePath, "denied until the file is fixed");
        Assert.Equal(content, File.ReadAllText(_store.FilePath));
    }

    [Fact]
    public void A_symlinked_or_group_writable_policy_file_denies_everything()
    {
        File.WriteAllText(_dir.Combine("elsewhere.json"), "{\"version\":1,\"defaults\":{\"security\":\"full\"}}");
        File.CreateSymbolicLink(_store.FilePath, _dir.Combine("elsewhere.json"));
        Denied(Decide("{\"command\":[\"tool\"]}"), "security=deny", "symbolic link");
        File.Delete(_store.FilePath);
        Policy("{\"version\":1}");
        File.SetUnixFileMode(_store.FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite);
        Denied(Decide("{\"command\":[\"tool\"]}"), "security=deny", "writable by other users");
    }

    [Fact]
    public void Strings_and_legacy_default_agent_are_normalised()
    {
        var doc = ExecApprovalsDocument.Parse("{\"version\":1,\"agents\":{\"default\":{\"allowlist\":[\"/usr/bin/ls\",\"\",{\"pattern\":\"  \"}]},\"main\":{\"allowlist\":[{\"pattern\":\"/usr/bin/id\",\"commandText\":\"id\"}]}}}", "t");
        Assert.False(doc.Agents.ContainsKey("default"));
        Assert.Equal(new[] { "/usr/bin/id", "/usr/bin/ls" }, doc.Agents["main"].Allowlist.Select(e => e.Pattern).ToArray());
        Assert.All(doc.Agents["main"].Allowlist, e => Assert.False(string.IsNullOrEmpty(e.Id)));
        Assert.DoesNotContain("commandText", doc.Serialize());
    }

    // AP-05: stale or missing base hashes are rejected and nothing is written.
    [Fact]
    public void Replace_is_a_compare_and_swap_on_the_file_hash()
    {
        ExecApprovalsSnapshot empty = _store.Load();
        Assert.False(empty.Exists);
        Assert.Equal("missing:" + Hex.Sha256(""), empty.Hash);
        var doc = ExecApprovalsDocument.Parse("{\"version\":1,\"defaults\":{\"security\":\"allowlist\"}}", "t");
        ExecApprovalsSnapshot first = _store.Replace(doc, empty.Hash);
        Assert.True(first.Exists);
        Assert.Equal(Hex.Sha256(File.ReadAllText(_store.FilePath)), first.Hash);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_store.FilePath));
        Assert.NotNull(first.Document!.SocketToken);
        string before = File.ReadAllText(_store.FilePath);
        Assert.Throws<ExecApprovalsConflictException>(() => _store.Replace(doc, null));
        Assert.Throws<ExecApprovalsConflictException>(() => _store.Replace(doc, empty.Hash));
        Assert.Equal(before, File.ReadAllText(_store.FilePath));
        ExecApprovalsSnapshot second = _store.Replace(doc, first.Hash);
        Assert.Equal(first.Document.SocketToken, second.Document!.SocketToken);
    }

    // AP-07: a last-used write-back never resurrects an entry removed in the meantime.
    [Fact]
    public void Last_used_bookkeeping_updates_entries_and_never_resurrects_removed_ones()
    {
        Policy(Allowlist("main", "{\"id\":\"e1\",\"pattern\":\"" + _bin + "/tool\"}"));
        Assert.True(Decide("{\"command\":[\"tool\",\"x\"],\"agentId\":\"main\"}").Allowed);
        ExecAllowlistEntry e = _store.Load().Document!.Agents["main"].Allowlist.Single();
        Assert.Equal(1_800_000_000_000, e.LastUsedAt);
        Assert.Equal("tool x", e.LastUsedCommand);
        Assert.Equal(_bin + "/tool", e.LastResolvedPath);
        Policy(Allowlist("main"));
        _store.RecordUse(new[] { ("main", "e1", _bin + "/tool") }, "tool", _bin + "/tool", 1);
        Assert.Empty(_store.Load().Document!.Agents["main"].Allowlist);
    }

    [Fact]
    public void Allow_always_persists_a_bound_entry_for_the_executable_only()
    {
        Policy("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"on-miss\"}}");
        var plan = new JsonObject { ["argv"] = Json.ToArray(new[] { _bin + "/tool", "x" }), ["commandText"] = _bin + "/tool x", ["cwd"] = _dir.Path, ["agentId"] = "main" };
        var r = new JsonObject { ["command"] = Json.ToArray(new[] { _bin + "/tool", "x" }), ["cwd"] = _dir.Path, ["agentId"] = "main", ["approved"] = true, ["approvalDecision"] = "allow-always", ["systemRunPlan"] = plan };
        Assert.True(Gate().Evaluate(Req(r.ToJsonString()), _dir.Path, null).Allowed);
        ExecAllowlistEntry e = _store.Load().Document!.Agents["main"].Allowlist.Single();
        Assert.Equal(_bin + "/tool", e.Pattern);
        Assert.Equal("allow-always", e.Source);
        Assert.Equal(ArgPatterns.CwdArgv(_dir.Path, new[] { _bin + "/tool", "x" }), e.ArgPattern);
        // The durable rule covers exactly that argv in that cwd.
        Assert.True(Decide("{\"command\":[\"" + _bin + "/tool\",\"x\"],\"agentId\":\"main\"}").Allowed);
        Denied(Decide("{\"command\":[\"" + _bin + "/tool\",\"y\"],\"agentId\":\"main\"}"), "approval-required");
    }

    [Fact]
    public async Task Get_returns_the_file_backed_shape_without_the_socket_token()
    {
        var get = new ExecApprovalsGetCommand(_store);
        var rec = new CommandTests.Recorder();
        JsonObject missing = (JsonObject)JsonNode.Parse((await get.InvokeAsync(rec.Context(new JsonObject(), "system.execApprovals.get"), default)).PayloadJson!)!;
        Assert.Equal(new[] { "path", "exists", "hash", "file" }, missing.Select(kv => kv.Key).ToArray());
        Assert.False(missing.Bool("exists"));
        Policy("{\"version\":1,\"socket\":{\"path\":\"/tmp/s.sock\",\"token\":\"SECRET-SOCKET-TOKEN\"},\"defaults\":{\"security\":\"allowlist\"}}");
        CommandResult r = await get.InvokeAsync(rec.Context(new JsonObject { ["includeResolvedDefaults"] = true }, "system.execApprovals.get"), default);
        Assert.DoesNotContain("SECRET-SOCKET-TOKEN", r.PayloadJson);
        JsonObject snap = (JsonObject)JsonNode.Parse(r.PayloadJson!)!;
        Assert.Equal(Hex.Sha256(File.ReadAllText(_store.FilePath)), snap.Str("hash"));
        Assert.Equal("allowlist", snap.Obj("resolvedDefaults").Str("security"));
        Assert.Equal("/tmp/s.sock", snap.Obj("file").Obj("socket").Str("path"));
    }

    [Fact]
    public async Task Set_validates_checks_the_hash_and_keeps_the_socket_token()
    {
        Policy("{\"version\":1,\"socket\":{\"path\":\"/tmp/s.sock\",\"token\":\"KEEP\"}}");
        string hash = _store.Load().Hash;
        var set = new ExecApprovalsSetCommand(_store, () => RemoteEditPolicy.Allow);
        var rec = new CommandTests.Recorder();
        CommandResult stale = await set.InvokeAsync(rec.Context((JsonObject)JsonNode.Parse("{\"file\":{\"version\":1},\"baseHash\":\"abc\"}")!, "x"), default);
        Assert.Equal("INVALID_REQUEST: exec approvals changed; reload and retry", stale.ErrorMessage);
        CommandResult noFile = await set.InvokeAsync(rec.Context(new JsonObject(), "x"), default);
        Assert.Equal("INVALID_REQUEST: exec approvals file required", noFile.ErrorMessage);
        CommandResult shell = await set.InvokeAsync(rec.Context((JsonObject)JsonNode.Parse("{\"file\":{\"version\":1,\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/bin/bash\"}]}}},\"baseHash\":\"" + hash + "\"}")!, "x"), default);
        Assert.Contains("names a shell", shell.ErrorMessage);
        CommandResult ok = await set.InvokeAsync(rec.Context((JsonObject)JsonNode.Parse("{\"file\":{\"version\":1,\"defaults\":{\"security\":\"allowlist\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/usr/bin/echo\"}]}}},\"baseHash\":\"" + hash + "\"}")!, "x"), default);
        Assert.True(ok.Ok, ok.ErrorMessage);
        Assert.Contains("\"token\": \"KEEP\"", File.ReadAllText(_store.FilePath));
        Assert.DoesNotContain("KEEP", ok.PayloadJson);
    }

    [Fact]
    public async Task Local_lock_makes_remote_edits_tighten_only_or_refused()
    {
        Policy("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"on-miss\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/usr/bin/echo\"}]}}}");
        var rec = new CommandTests.Recorder();
        async Task<CommandResult> Set(RemoteEditPolicy mode, string file) =>
            await new ExecApprovalsSetCommand(_store, () => mode).InvokeAsync(rec.Context((JsonObject)JsonNode.Parse("{\"file\":" + file + ",\"baseHash\":\"" + _store.Load().Hash + "\"}")!, "x"), default);

        Assert.Contains("security allowlist -> full", (await Set(RemoteEditPolicy.TightenOnly, "{\"version\":1,\"defaults\":{\"security\":\"full\",\"ask\":\"on-miss\"}}")).ErrorMessage);
        Assert.Contains("ask on-miss -> off", (await Set(RemoteEditPolicy.TightenOnly, "{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"off\"}}")).ErrorMessage);
        Assert.Contains("new allowlist entry '/usr/bin/id'", (await Set(RemoteEditPolicy.TightenOnly, "{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"on-miss\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/usr/bin/echo\"},{\"pattern\":\"/usr/bin/id\"}]}}}")).ErrorMessage);
        Assert.True((await Set(RemoteEditPolicy.TightenOnly, "{\"version\":1,\"defaults\":{\"security\":\"deny\",\"ask\":\"always\"}}")).Ok);
        Assert.Contains("managed locally", (await Set(RemoteEditPolicy.Deny, "{\"version\":1,\"defaults\":{\"security\":\"deny\"}}")).ErrorMessage);
        Assert.Equal("deny", _store.Load().Document!.Defaults.Security is ExecSecurity s ? ExecModeNames.Name(s) : null);
    }

    [Fact]
    public void Auto_allow_skills_covers_the_gateways_skill_binaries_by_bare_name_only()
    {
        Policy("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"autoAllowSkills\":true}}");
        var gate = new ExecApprovalGate(_store, _resolver, windows: false, skillBins: () => new[] { "tool", "sh" });
        ExecDecision Eval(string json) => gate.Evaluate(Req(json), _dir.Path, null);
        Assert.True(Eval("{\"command\":[\"tool\",\"x\"]}").Allowed);
        Denied(Eval("{\"command\":[\"" + _bin + "/tool\"]}"), "allowlist-miss");
        Denied(Eval("{\"command\":[\"other\"]}"), "allowlist-miss");
        Denied(Eval("{\"command\":[\"sh\",\"-c\",\"id\"]}"), "allowlist-miss");
        Policy("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"autoAllowSkills\":false}}");
        Denied(Eval("{\"command\":[\"tool\"]}"), "allowlist-miss");
    }
}
