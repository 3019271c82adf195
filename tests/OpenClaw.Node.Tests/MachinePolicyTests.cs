using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using FsCheck;
using FsCheck.Fluent;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Policy;
using OpenClaw.Node.State;
using OpenClaw.Node.Status;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>The machine policy: parsing, file trust, gateway checks, the exec floor clamp (FsCheck) and its enforcement in the gate.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MachinePolicyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string PolicyFile(string json, string name = "policy.json")
    {
        string path = _dir.Combine(name);
        File.WriteAllText(path, json);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    private static MachinePolicy Of(string json) => new(new[] { MachinePolicyLayer.Parse(json, "/etc/openclaw/policy.json") }, null, new[] { "/etc/openclaw/policy.json" });

    private MachinePolicy Load(string path) => MachinePolicyLoader.Load(additionalFile: path, machineFile: _dir.Combine("no-machine-policy.json"));

    [Fact]
    public void Missing_sources_mean_no_policy_and_nothing_is_restricted()
    {
        MachinePolicy p = MachinePolicyLoader.Load(additionalFile: null, machineFile: _dir.Combine("absent.json"));
        Assert.False(p.InForce);
        Assert.Null(p.Error);
        EffectivePolicy full = EffectivePolicy.Resolve(ExecApprovalsDocument.Empty, null);
        Assert.Equal(full, p.Clamp(full));
        Assert.Equal((null, null, null, null), p.ApplyGateway("anything", 1, false, null));
    }

    [Fact]
    public void A_policy_file_writable_by_others_is_refused_as_not_policy()
    {
        string path = PolicyFile("{\"version\":1,\"execApprovals\":{\"maxSecurity\":\"deny\"}}");
        Assert.True(Load(path).InForce);
        Assert.Null(Load(path).Error);

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        MachinePolicy p = Load(path);
        Assert.Contains("writable by users other than its owner, so it is not policy", p.Error);
        Assert.Contains("chmod 644 " + path, p.Error);
        // Broken policy fails closed: everything is denied, the gateway check refuses.
        Assert.Equal(ExecSecurity.Deny, p.Clamp(EffectivePolicy.Resolve(ExecApprovalsDocument.Empty, null)).Security);
        Assert.Throws<MachinePolicyException>(() => p.ApplyGateway(null, null, null, null));

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        Assert.Contains("not policy", Load(path).Error);
    }

    [Fact]
    public void A_symlinked_policy_file_is_refused()
    {
        string target = PolicyFile("{\"version\":1}", "real.json");
        string link = _dir.Combine("link.json");
        File.CreateSymbolicLink(link, target);
        Assert.Contains("symbolic link", Load(link).Error);
    }

    [Fact]
    public void The_machine_file_must_be_owned_by_root_in_a_root_only_folder()
    {
        string path = PolicyFile("{\"version\":1}");
        if (FileOwner.EffectiveUid() == 0)
        {
            // Running as root (CI): the file is root's; a folder others can write makes it replaceable.
            Assert.Null(MachinePolicyLoader.Load(machineFile: path).Error);
            File.SetUnixFileMode(_dir.Path, (UnixFileMode)0x1FF);   // 0777
            Assert.Contains("writable by users other than root", MachinePolicyLoader.Load(machineFile: path).Error);
            File.SetUnixFileMode(_dir.Path, (UnixFileMode)0x1C0);
        }
        else
        {
            Assert.Contains("not root, so it is not policy", MachinePolicyLoader.Load(machineFile: path).Error);
            Assert.Null(Load(path).Error);   // the additional file may be the current user's
        }
        Assert.Equal(FileOwner.EffectiveUid(), FileOwner.Uid(path));
    }

    [Fact]
    public void A_missing_file_named_by_the_variable_is_an_error_not_silence()
    {
        Assert.Contains("does not exist", Load(_dir.Combine("nope.json")).Error);
    }

    [Theory]
    [InlineData("{\"version\":1,\"gatway\":{}}", "unknown field 'gatway'")]
    [InlineData("{\"version\":2}", "version must be 1")]
    [InlineData("{\"execApprovals\":{\"maxSecurity\":\"most\"}}", "maxSecurity must be deny, allowlist or full")]
    [InlineData("{\"gateway\":{\"port\":70000}}", "gateway.port must be 1 to 65535")]
    [InlineData("{\"gateway\":{\"tlsFingerprint\":\"xyz\"}}", "gateway.tlsFingerprint")]
    [InlineData("{\"displayNamePattern\":\"(\"}", "not a regular expression")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("{\"logLevel\":\"loud\"}", "logLevel must be")]
    public void Malformed_policies_are_refused_with_the_field_named(string json, string expected)
    {
        MachinePolicy p = Load(PolicyFile(json));
        Assert.NotNull(p.Error);
        Assert.Contains(expected, p.Error);
        Assert.Contains("refuses to run", p.Error);
    }

    [Fact]
    public void Gateway_policy_fills_open_values_and_refuses_different_explicit_ones()
    {
        string pin = new string('a', 64);
        MachinePolicy p = Of("{\"version\":1,\"gateway\":{\"host\":\"gw.example.com\",\"port\":443,\"tlsFingerprint\":\"" + pin + "\"}}");
        Assert.Equal(("gw.example.com", (int?)443, (bool?)true, pin), p.ApplyGateway(null, null, null, null));
        Assert.Equal(("gw.example.com", (int?)443, (bool?)true, pin), p.ApplyGateway("GW.example.com", 443, true, "sha256:" + pin.ToUpperInvariant()));
        var host = Assert.Throws<MachinePolicyException>(() => p.ApplyGateway("evil.example.com", null, null, null));
        Assert.Contains("Refused by the machine policy /etc/openclaw/policy.json", host.Message);
        Assert.Contains("allows only the gateway gw.example.com:443 (TLS)", host.Message);
        Assert.Contains("'evil.example.com'", host.Message);
        Assert.Contains("port 8443", Assert.Throws<MachinePolicyException>(() => p.ApplyGateway(null, 8443, null, null)).Message);
        Assert.Contains("turns TLS off", Assert.Throws<MachinePolicyException>(() => p.ApplyGateway(null, null, false, null)).Message);
        Assert.Contains("another fingerprint", Assert.Throws<MachinePolicyException>(() => p.ApplyGateway(null, null, null, new string('b', 64))).Message);
        Assert.Throws<MachinePolicyException>(() => p.CheckGateway(new GatewaySettings { Host = "gw.example.com", Port = 443, Tls = true }));   // no pin
        p.CheckGateway(new GatewaySettings { Host = "gw.example.com", Port = 443, Tls = true, TlsFingerprint = pin });
    }

    [Fact]
    public void A_second_layer_can_only_tighten()
    {
        var machine = MachinePolicyLayer.Parse("{\"execApprovals\":{\"maxSecurity\":\"allowlist\"},\"gateway\":{\"host\":\"gw\"}}", "machine");
        var user = MachinePolicyLayer.Parse("{\"execApprovals\":{\"maxSecurity\":\"full\",\"minAsk\":\"always\"}}", "user");   // "full" cannot widen
        var p = new MachinePolicy(new[] { machine, user }, null, new[] { "machine", "user" });
        EffectivePolicy e = p.Clamp(EffectivePolicy.Resolve(ExecApprovalsDocument.Empty, null));
        Assert.Equal(ExecSecurity.Allowlist, e.Security);
        Assert.Equal(ExecAsk.Always, e.Ask);
        var other = MachinePolicyLayer.Parse("{\"gateway\":{\"host\":\"other\"}}", "user2");
        Assert.Contains("different gateways", Assert.Throws<MachinePolicyException>(() => new MachinePolicy(new[] { machine, other }, null, new[] { "a" }).ApplyGateway(null, null, null, null)).Message);
    }

    [Fact]
    public void Display_names_must_match_the_pattern()
    {
        MachinePolicy p = Of("{\"displayNamePattern\":\"build-[0-9]+\"}");
        p.CheckDisplayName("build-07");
        p.CheckDisplayName("BUILD-1");
        Assert.Contains("must match 'build-[0-9]+'", Assert.Throws<MachinePolicyException>(() => p.CheckDisplayName("laptop")).Message);
        Assert.Throws<MachinePolicyException>(() => p.CheckDisplayName("build-07x"));   // anchored
    }

    private static readonly string[] PatternPool = { "/usr/bin/git", "/usr/bin/*", "/opt/tool", "git", "*", "/usr/local/bin/node" };

    private static Gen<string?> Maybe(params string[] values) => Gen.Elements(values.Select(v => (string?)v).Append(null).ToArray());

    private static Gen<JsonObject> Values(bool withAllowlist) =>
        from sec in Maybe("deny", "allowlist", "full")
        from ask in Maybe("off", "on-miss", "always")
        from fb in Maybe("deny", "allowlist", "full")
        from skills in Gen.Elements<bool?>(true, false, null)
        from list in Gen.SubListOf(PatternPool)
        select Values(sec, ask, fb, skills, withAllowlist ? list : Array.Empty<string>());

    private static JsonObject Values(string? sec, string? ask, string? fb, bool? skills, IEnumerable<string> list)
    {
        var o = new JsonObject();
        if (sec is not null) { o["security"] = sec; }
        if (ask is not null) { o["ask"] = ask; }
        if (fb is not null) { o["askFallback"] = fb; }
        if (skills is bool b) { o["autoAllowSkills"] = b; }
        var arr = new JsonArray();
        foreach (string p in list) { arr.Add((JsonNode)new JsonObject { ["pattern"] = p }); }
        if (arr.Count > 0) { o["allowlist"] = arr; }
        return o;
    }

    private static readonly Gen<ExecApprovalsDocument> Documents =
        from defaults in Values(false)
        from star in Values(true)
        from main in Values(true)
        from hasStar in Gen.Elements(true, false)
        select ExecApprovalsDocument.Parse(new JsonObject
        {
            ["version"] = 1,
            ["defaults"] = defaults,
            ["agents"] = hasStar ? new JsonObject { ["*"] = star, ["main"] = main } : new JsonObject { ["main"] = main },
        }.ToJsonString(), "gen");

    private static readonly Gen<MachinePolicyLayer> Floors =
        from sec in Maybe("deny", "allowlist", "full")
        from ask in Maybe("off", "on-miss", "always")
        from fb in Maybe("deny", "allowlist", "full")
        from skills in Gen.Elements<bool?>(false, null)
        from allowed in Gen.Elements<string[]?>(null, new[] { "/usr/bin/*" }, new[] { "git" }, Array.Empty<string>())
        select MachinePolicyLayer.FromJson(new JsonObject
        {
            ["execApprovals"] = new JsonObject
            {
                ["maxSecurity"] = sec, ["minAsk"] = ask, ["maxAskFallback"] = fb, ["autoAllowSkills"] = skills,
                ["allowedPatterns"] = allowed is null ? null : Node.Internal.Json.ToArray(allowed),
            }.Where(kv => kv.Value is not null).Aggregate(new JsonObject(), (o, kv) => { o[kv.Key] = kv.Value!.DeepClone(); return o; }),
        }, "floor");

    [Fact]
    public void Property_the_effective_policy_is_never_looser_than_the_floor_for_any_document()
    {
        Prop.ForAll(Gen.Zip(Documents, Floors).ToArbitrary(), pair =>
        {
            var (doc, layer) = pair;
            var policy = new MachinePolicy(new[] { layer }, null, new[] { "floor" });
            MachineExecFloor f = layer.Exec;
            foreach (string? agent in new[] { null, "main", "other" })
            {
                EffectivePolicy raw = EffectivePolicy.Resolve(doc, agent);
                EffectivePolicy e = policy.Clamp(raw);
                ExecSecurity maxSec = f.AllowedPatterns is not null ? (ExecSecurity)Math.Min((int)(f.MaxSecurity ?? ExecSecurity.Full), (int)ExecSecurity.Allowlist) : f.MaxSecurity ?? ExecSecurity.Full;
                if (e.Security > maxSec) { return false; }
                if (e.Security > raw.Security || e.Ask < raw.Ask || e.AskFallback > raw.AskFallback) { return false; }   // never looser than the file either
                if (f.MinAsk is ExecAsk a && e.Ask < a) { return false; }
                if (f.MaxAskFallback is ExecSecurity mf && e.AskFallback > mf) { return false; }
                if (f.AutoAllowSkills == false && e.AutoAllowSkills) { return false; }
                if (f.AllowedPatterns is IReadOnlyList<string> al && e.Allowlist.Any(x => !MachinePolicy.Permits(al, x.Entry.Pattern))) { return false; }
                if (e.Allowlist.Any(x => !raw.Allowlist.Contains(x))) { return false; }
                // A document the floor does not change is exactly what Exceeds accepts.
                if (policy.Exceeds(doc) is null && !(e.Security == raw.Security && e.Ask == raw.Ask && e.AskFallback == raw.AskFallback && e.AutoAllowSkills == raw.AutoAllowSkills && e.Allowlist.Count == raw.Allowlist.Count)) { return false; }
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void Allowed_patterns_keep_entries_within_them_only()
    {
        Assert.True(MachinePolicy.Permits(new[] { "/usr/bin/*" }, "/usr/bin/git"));
        Assert.False(MachinePolicy.Permits(new[] { "/usr/bin/*" }, "/usr/*"));   // a wider glob is not within
        Assert.False(MachinePolicy.Permits(new[] { "/usr/bin/*" }, "/opt/tool"));
        Assert.True(MachinePolicy.Permits(new[] { "git" }, "git"));
    }

    // ---- enforcement in the gate and the remote edit ----

    private sealed class GateFixture : IDisposable
    {
        public readonly TempDir Dir = new();
        public readonly ExecApprovalsStore Store;
        public readonly string Bin;
        public MachinePolicy Machine = MachinePolicy.None;

        public GateFixture()
        {
            Bin = Dir.Combine("bin");
            Directory.CreateDirectory(Bin);
            Directory.CreateDirectory(Dir.Combine("state"));
            foreach (string n in new[] { "tool", "forbidden" })
            {
                string p = Path.Combine(Bin, n);
                File.WriteAllText(p, "#!/bin/sh\necho " + n + "\n");
                File.SetUnixFileMode(p, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            Store = new ExecApprovalsStore(Dir.Combine("state"));
        }

        public ExecApprovalGate Gate() => new(Store, new PathResolver(Bin + ":/usr/bin:/bin", null, windows: false), windows: false, machinePolicy: () => Machine);

        public ExecDecision Run(string json)
        {
            Assert.True(SystemRunCommand.TryParse((JsonObject)JsonNode.Parse(json)!, out SystemRunRequest? r, out string? problem), problem);
            return Gate().Evaluate(r!, Dir.Path, null);
        }

        public void Dispose() => Dir.Dispose();
    }

    [Fact]
    public void The_gate_clamps_a_loose_file_and_denied_commands_never_run_even_approved()
    {
        using var f = new GateFixture();
        File.WriteAllText(f.Store.FilePath, "{\"version\":1,\"defaults\":{\"security\":\"full\",\"ask\":\"off\"}}");
        Assert.True(f.Run("{\"command\":[\"tool\"]}").Allowed);
        Assert.True(f.Run("{\"command\":[\"forbidden\"]}").Allowed);

        f.Machine = Of("{\"execApprovals\":{\"maxSecurity\":\"allowlist\",\"deniedCommands\":[\"forbidden\"]}}");
        ExecDecision miss = f.Run("{\"command\":[\"tool\"]}");
        Assert.False(miss.Allowed);
        Assert.Contains("allowlist miss", miss.Message);
        Assert.Contains("machine policy /etc/openclaw/policy.json", miss.Message);   // the security source names the policy

        ExecDecision denied = f.Run("{\"command\":[\"forbidden\"],\"approved\":true,\"approvalDecision\":\"allow-once\"}");
        Assert.False(denied.Allowed);
        Assert.Contains("denied by the machine policy /etc/openclaw/policy.json (deniedCommands 'forbidden')", denied.Message);
        Assert.Contains(f.Bin + "/forbidden", denied.Message);

        ExecDecision shell = f.Run("{\"command\":[\"/bin/sh\",\"-c\",\"forbidden\"],\"approved\":true,\"approvalDecision\":\"allow-once\"}");
        Assert.False(shell.Allowed);

        f.Machine = Of("{\"execApprovals\":{\"deniedCommands\":[\"" + f.Bin + "/forb*\"]}}");
        Assert.Contains("denied by the machine policy", f.Run("{\"command\":[\"" + f.Bin + "/forbidden\"]}").Message);
        Assert.True(f.Run("{\"command\":[\"tool\"]}").Allowed);
    }

    [Fact]
    public async Task Remote_edits_that_exceed_the_floor_are_refused_with_the_reason()
    {
        using var f = new GateFixture();
        File.WriteAllText(f.Store.FilePath, "{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"on-miss\"}}");
        MachinePolicy machine = Of("{\"execApprovals\":{\"maxSecurity\":\"allowlist\",\"minAsk\":\"on-miss\",\"allowedPatterns\":[\"/usr/bin/*\"]}}");
        var set = new ExecApprovalsSetCommand(f.Store, () => RemoteEditPolicy.Allow, () => machine);
        var rec = new CommandTests.Recorder();
        async Task<CommandResult> Set(string file) =>
            await set.InvokeAsync(rec.Context((JsonObject)JsonNode.Parse("{\"file\":" + file + ",\"baseHash\":\"" + f.Store.Load().Hash + "\"}")!, "x"), default);

        CommandResult full = await Set("{\"version\":1,\"defaults\":{\"security\":\"full\",\"ask\":\"on-miss\"}}");
        Assert.False(full.Ok);
        Assert.Contains("may not exceed the machine policy", full.ErrorMessage);
        Assert.Contains("security full is looser than the machine policy allows (allowlist at most; /etc/openclaw/policy.json)", full.ErrorMessage);
        Assert.Contains("ask off is looser", (await Set("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"off\"}}")).ErrorMessage);
        Assert.Contains("allowlist entry '/opt/tool' is outside", (await Set("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"on-miss\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/opt/tool\"}]}}}")).ErrorMessage);
        Assert.Contains("\"on-miss\"", File.ReadAllText(f.Store.FilePath));   // unchanged
        Assert.True((await Set("{\"version\":1,\"defaults\":{\"security\":\"deny\",\"ask\":\"always\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/usr/bin/git\"}]}}}")).Ok);
    }

    [Fact]
    public void Status_reports_the_policy_and_the_clamped_exec_policy()
    {
        string path = PolicyFile("{\"version\":1,\"execApprovals\":{\"maxSecurity\":\"allowlist\",\"minAsk\":\"always\"}}");
        string state = _dir.Combine("state");
        string? old = Environment.GetEnvironmentVariable(MachinePolicyLoader.EnvironmentVariable);
        Environment.SetEnvironmentVariable(MachinePolicyLoader.EnvironmentVariable, path);
        try
        {
            NodeStatus s = NodeStatusReader.Read(state);
            Assert.True(s.MachinePolicy.InForce);
            Assert.Contains(path, s.MachinePolicy.Sources);
            Assert.Equal(ExecSecurity.Allowlist, s.Policy.Security);   // no exec-approvals.json: built-in full, clamped
            Assert.Equal(ExecAsk.Always, s.Policy.Ask);
            Assert.Equal(path, s.ToJson()["machinePolicy"]!["sources"]![0]!.GetValue<string>());
            NodeHealthReport r = NodeHealthCheck.Evaluate(s, new NodeHealthExpectation { RequireService = false });
            Assert.Contains(r.Checks, c => c.Name == "MachinePolicy" && c.Passed && c.Detail.Contains(path));
        }
        finally
        {
            Environment.SetEnvironmentVariable(MachinePolicyLoader.EnvironmentVariable, old);
        }
        NodeStatus none = NodeStatusReader.Read(state);
        Assert.False(none.MachinePolicy.InForce);
        Assert.DoesNotContain(NodeHealthCheck.Evaluate(none, new NodeHealthExpectation()).Checks, c => c.Name == "MachinePolicy");
    }

    [Fact]
    public async Task A_host_asked_for_another_gateway_exits_78_and_writes_nothing()
    {
        string path = PolicyFile("{\"version\":1,\"gateway\":{\"host\":\"gw.example.com\",\"port\":443,\"tls\":true}}");
        string state = _dir.Combine("state-refused");
        var lines = new List<string>();
        var host = new NodeHost(new NodeHostOptions { StateDirectory = state, Host = "127.0.0.1", Port = 18789, PolicyFile = path }, new DelegateNodeLog((l, m) => lines.Add(m)));
        int code = await host.RunAsync(null, default);
        Assert.Equal(NodeHostExitCodes.Configuration, code);
        Assert.Contains(lines, l => l.Contains("Refused by the machine policy " + path) && l.Contains("gw.example.com:443 (TLS)"));
        Assert.False(Directory.Exists(state));
    }
}
