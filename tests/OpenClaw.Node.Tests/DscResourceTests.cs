using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using OpenClaw.Node.Dsc;
using OpenClaw.Node.Service;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>
/// The DSC v3 resource OpenClaw/Node through its entry point (<see cref="NodeDscResource.Invoke"/>, what
/// <c>openclaw-node dsc</c> runs), fed the compressed JSON DSC sends on stdin, over a temporary state directory and a
/// recording systemd fake (the real systemd user manager is in the integration tests).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DscResourceTests : IDisposable
{
    private const string Token = "dsc-secret-token-0123456789";
    private readonly TempDir _tmp = new();
    private readonly FakeSystemd _user = new();
    private readonly FakeSystemd _system = new();

    public void Dispose() => _tmp.Dispose();

    private string StateDir => _tmp.Combine("state dir");

    private NodeDscResource Resource(string? envToken = null) => new(new NodeDscContext
    {
        Controllers = scope => new SystemdServiceController(scope == NodeServiceScope.User ? _user : _system, scope,
            _tmp.Combine(scope == NodeServiceScope.User ? "user-units" : "system-units"), "alice") { SettleTime = TimeSpan.Zero, ConnectTimeout = TimeSpan.Zero },
        WithExecutable = (o, path) => o with { ExecutablePath = path ?? "/usr/bin/openclaw-node" },
        EnvironmentToken = envToken,
    });

    /// <summary>The instance as DSC sends it: one compressed JSON object.</summary>
    private string Instance(string properties) => "{\"stateDirectory\":" + JsonValue.Create(StateDir)!.ToJsonString() + (properties.Length > 0 ? "," + properties : string.Empty) + "}";

    private static JsonObject State(NodeDscResult r)
    {
        Assert.True(r.ExitCode == 0, string.Join("\n", r.Messages));
        return (JsonObject)JsonNode.Parse(r.Output[0])!;
    }

    private static string[] DiffOf(NodeDscResult r) => ((JsonArray)JsonNode.Parse(r.Output[1])!).Select(n => (string)n!).ToArray();

    private string WriteTokenFile()
    {
        string path = _tmp.Combine("gateway.token");
        File.WriteAllText(path, Token + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Fact]
    public void Get_of_a_node_that_is_not_installed_reports_exist_false_and_the_built_in_policy()
    {
        NodeDscResult r = Resource().Invoke("get", Instance("\"gatewayHost\":\"gw.example.com\",\"_exist\":true"));
        JsonObject s = State(r);
        Assert.Single(r.Output);
        Assert.Equal(StateDir, (string)s["stateDirectory"]!);
        Assert.False((bool)s["_exist"]!);
        Assert.False((bool)s["running"]!);
        Assert.Equal("user", (string)s["scope"]!);
        Assert.Equal(("full", "off", "deny"), ((string)s["execSecurity"]!, (string)s["execAsk"]!, (string)s["execAskFallback"]!));
        Assert.Empty((JsonArray)s["allowlist"]!);
        Assert.False(s.ContainsKey("gatewayHost"));   // nothing saved yet: the desired value is not echoed back
        Assert.False(s.ContainsKey("_inDesiredState"));
        Assert.False(Directory.Exists(StateDir), "get created the state directory");
    }

    [Fact]
    public void Get_without_input_uses_the_default_state_directory()
    {
        NodeDscResult r = Resource().Invoke("get", "");
        Assert.Equal(StateDirectory.Resolve(null), (string)State(r)["stateDirectory"]!);
    }

    [Fact]
    public void Test_reports_every_differing_property_and_only_those()
    {
        var store = new NodeStateStore(StateDir);
        NodeConfig config = NodeConfig.CreateNew();
        config.DisplayName = "old-name";
        config.Gateway = new GatewaySettings { Host = "gw.example.com", Port = 18789 };
        store.SaveConfig(config);

        NodeDscResult r = Resource().Invoke("test", Instance(
            "\"_exist\":false,\"displayName\":\"new-name\""));
        Assert.True((bool)State(r)["_inDesiredState"]!);   // _exist:false compares only _exist
        Assert.Empty(DiffOf(r));

        r = Resource().Invoke("test", Instance(
            "\"gatewayHost\":\"GW.example.com\",\"gatewayPort\":18789,\"displayName\":\"new-name\",\"execSecurity\":\"allowlist\",\"execAsk\":\"off\",\"allowlist\":[{\"pattern\":\"/usr/bin/git\"}]"));
        JsonObject s = State(r);
        Assert.False((bool)s["_inDesiredState"]!);
        Assert.Equal(new[] { "_exist", "running", "displayName", "execSecurity", "allowlist" }, DiffOf(r));
        Assert.Equal("old-name", (string)s["displayName"]!);
        Assert.Equal("gw.example.com", (string)s["gatewayHost"]!);
    }

    [Fact]
    public void Purge_makes_the_allowlist_exact_unlisted_entries_are_out_of_state_and_removed_and_purge_is_never_output()
    {
        string token = JsonValue.Create(WriteTokenFile())!.ToJsonString();
        // A node with three entries: two for every agent, one for main.
        State(Resource().Invoke("set", Instance("\"allowlist\":[{\"pattern\":\"/usr/bin/git\"},{\"pattern\":\"/usr/bin/curl\"}," +
            "{\"agentId\":\"main\",\"pattern\":\"/usr/bin/make\"}],\"tokenFile\":" + token)));

        // Without _purge, listing a subset is in the desired state (unlisted entries are left alone).
        string subset = "\"allowlist\":[{\"pattern\":\"/usr/bin/git\"}],\"tokenFile\":" + token;
        NodeDscResult loose = Resource().Invoke("test", Instance(subset));
        Assert.True((bool)State(loose)["_inDesiredState"]!, string.Join(",", DiffOf(loose)));

        // With _purge: true the unlisted entries make it differ; what-if predicts their removal and writes nothing.
        string exact = subset + ",\"_purge\":true";
        NodeDscResult test = Resource().Invoke("test", Instance(exact));
        Assert.False((bool)State(test)["_inDesiredState"]!);
        Assert.Equal(new[] { "allowlist" }, DiffOf(test));
        string before = File.ReadAllText(Path.Combine(StateDir, "exec-approvals.json"));
        NodeDscResult what = Resource().Invoke("set", Instance(exact), whatIf: true);
        Assert.Equal(new[] { "/usr/bin/git" }, ((JsonArray)State(what)["allowlist"]!).Select(e => (string)e!["pattern"]!).ToArray());
        Assert.Equal(before, File.ReadAllText(Path.Combine(StateDir, "exec-approvals.json")));

        NodeDscResult set = Resource().Invoke("set", Instance(exact));
        JsonObject after = State(set);
        Assert.Equal(new[] { "allowlist" }, DiffOf(set));
        var doc = new Approvals.ExecApprovalsStore(StateDir).Load().Document!;
        Assert.Equal(new[] { "/usr/bin/git" }, doc.Agents.SelectMany(a => a.Value.Allowlist).Select(e => e.Pattern).ToArray());
        // _purge is write-only (DSC canonical property): never in any output.
        Assert.All(new[] { after, State(test), State(what) }, o => Assert.False(o.ContainsKey("_purge")));
        NodeDscResult again = Resource().Invoke("test", Instance(exact));
        Assert.True((bool)State(again)["_inDesiredState"]!, string.Join(",", DiffOf(again)));
    }

    [Fact]
    public void Purge_must_be_a_boolean()
    {
        NodeDscResult r = Resource().Invoke("test", Instance("\"_purge\":\"yes\""));
        Assert.Equal(NodeDscExitCodes.InvalidInput, r.ExitCode);
        Assert.Contains(r.Messages, m => m.Contains("_purge"));
    }

    [Fact]
    public void Set_applies_gateway_display_name_and_exec_approvals_installs_the_service_and_then_tests_in_desired_state()
    {
        string desired = Instance(
            "\"gatewayHost\":\"gw.example.com\",\"gatewayPort\":443,\"tls\":true,\"tlsFingerprint\":\"sha256:" + new string('A', 64) + "\"," +
            "\"displayName\":\"build-07\",\"remoteEdits\":\"tighten-only\",\"execSecurity\":\"allowlist\",\"execAsk\":\"on-miss\"," +
            "\"allowlist\":[{\"pattern\":\"/usr/bin/git\"},{\"agentId\":\"main\",\"pattern\":\"/usr/bin/make\",\"argPattern\":\"^-j[0-9]+$\"}]," +
            "\"tokenFile\":" + JsonValue.Create(WriteTokenFile())!.ToJsonString());

        NodeDscResult what = Resource().Invoke("set", desired, whatIf: true);
        Assert.Equal("build-07", (string)State(what)["displayName"]!);
        Assert.False(Directory.Exists(StateDir), "set --what-if wrote the state directory");
        Assert.DoesNotContain(_user.Calls, c => c.Contains(" enable ") || c.Contains(" restart "));

        NodeDscResult set = Resource().Invoke("set", desired);
        JsonObject after = State(set);
        Assert.Equal(new[] { "_exist", "running", "gatewayHost", "gatewayPort", "tls", "tlsFingerprint", "displayName", "remoteEdits", "execSecurity", "execAsk", "allowlist" }, DiffOf(set));
        Assert.True((bool)after["_exist"]!);
        Assert.True((bool)after["running"]!);
        Assert.Equal(new string('a', 64), (string)after["tlsFingerprint"]!);

        // The real files: node.json holds the gateway and name, exec-approvals.json the policy, the unit runs the state dir only.
        NodeConfig saved = new NodeStateStore(StateDir).LoadConfig()!;
        Assert.Equal(("gw.example.com", 443, true, "build-07"), (saved.Gateway!.Host, saved.Gateway.Port, saved.Gateway.Tls, saved.DisplayName));
        Assert.Equal(Commands.RemoteEditPolicy.TightenOnly, saved.RemoteEdits);
        var doc = new Approvals.ExecApprovalsStore(StateDir).Load().Document!;
        Assert.Equal((Approvals.ExecSecurity.Allowlist, Approvals.ExecAsk.OnMiss), (doc.Defaults.Security!.Value, doc.Defaults.Ask!.Value));
        Assert.Equal("/usr/bin/git", doc.Agents["*"].Allowlist.Single().Pattern);
        Assert.Equal("^-j[0-9]+$", doc.Agents["main"].Allowlist.Single().ArgPattern);
        string unit = File.ReadAllText(_tmp.Combine("user-units", SystemdUnit.UnitName));
        Assert.DoesNotContain("--host", unit);
        Assert.Contains("--state-dir", unit);
        Assert.Contains("OPENCLAW_GATEWAY_TOKEN=" + Token, File.ReadAllText(Path.Combine(StateDir, SystemdUnit.EnvironmentFileName)));
        foreach (string line in set.Output.Concat(set.Messages).Concat(what.Output)) { Assert.DoesNotContain(Token, line); }

        NodeDscResult test = Resource().Invoke("test", desired);
        Assert.True((bool)State(test)["_inDesiredState"]!, string.Join(",", DiffOf(test)));
        Assert.Empty(DiffOf(test));

        // Idempotent: a second set changes nothing and asks the manager nothing but queries.
        int calls = _user.Calls.Count;
        NodeDscResult again = Resource().Invoke("set", desired);
        Assert.Empty(DiffOf(again));
        Assert.All(_user.Calls.Skip(calls), c => Assert.Contains(" show ", c + " "));
        Assert.Equal(2, doc.Agents.Sum(a => a.Value.Allowlist.Count));
        Assert.Equal(2, new Approvals.ExecApprovalsStore(StateDir).Load().Document!.Agents.Sum(a => a.Value.Allowlist.Count));
    }

    [Fact]
    public void Changing_the_gateway_drops_the_device_token_of_the_old_one_and_reinstalls_the_service()
    {
        var store = new NodeStateStore(StateDir);
        NodeConfig config = NodeConfig.CreateNew();
        config.Token = "device-token-of-old-gateway";
        config.Gateway = new GatewaySettings { Host = "old.example.com", Port = 18789 };
        store.SaveConfig(config);
        Assert.Equal(0, Resource(Token).Invoke("set", Instance("\"gatewayHost\":\"old.example.com\"")).ExitCode);
        Assert.Equal("device-token-of-old-gateway", store.LoadConfig()!.Token);
        int restartsBefore = _user.Calls.Count(c => c.Contains("restart"));

        NodeDscResult r = Resource(Token).Invoke("set", Instance("\"gatewayHost\":\"new.example.com\""));
        Assert.Equal(new[] { "gatewayHost" }, DiffOf(r));
        Assert.Null(store.LoadConfig()!.Token);
        Assert.Equal("new.example.com", store.LoadConfig()!.Gateway!.Host);
        Assert.Contains(r.Messages, m => m.StartsWith("{\"warn\":", StringComparison.Ordinal) && m.Contains("device token"));
        Assert.True(_user.Calls.Count(c => c.Contains("restart")) > restartsBefore, "the service was not restarted on the new gateway");
        Assert.All(r.Messages.Concat(r.Output), m => Assert.DoesNotContain(Token, m));
    }

    [Fact]
    public void Exist_false_uninstalls_and_a_second_run_is_a_no_op()
    {
        Assert.Equal(0, Resource(Token).Invoke("set", Instance("")).ExitCode);
        Assert.True(File.Exists(_tmp.Combine("user-units", SystemdUnit.UnitName)));

        NodeDscResult r = Resource().Invoke("set", Instance("\"_exist\":false"));
        Assert.Equal(new[] { "_exist" }, DiffOf(r));
        Assert.False((bool)State(r)["_exist"]!);
        Assert.False(File.Exists(_tmp.Combine("user-units", SystemdUnit.UnitName)));
        Assert.False(File.Exists(Path.Combine(StateDir, SystemdUnit.EnvironmentFileName)));
        Assert.Empty(DiffOf(Resource().Invoke("set", Instance("\"_exist\":false"))));
    }

    [Fact]
    public void Running_false_stops_the_service_and_a_scope_change_moves_it()
    {
        Assert.Equal(0, Resource(Token).Invoke("set", Instance("")).ExitCode);
        NodeDscResult stopped = Resource().Invoke("set", Instance("\"running\":false"));
        Assert.Equal(new[] { "running" }, DiffOf(stopped));
        Assert.False((bool)State(stopped)["running"]!);

        NodeDscResult moved = Resource(Token).Invoke("set", Instance("\"scope\":\"system\",\"serviceAccount\":\"nobody\""));
        Assert.Equal(new[] { "scope", "running" }, DiffOf(moved));
        Assert.Equal("system", (string)State(moved)["scope"]!);
        Assert.False(File.Exists(_tmp.Combine("user-units", SystemdUnit.UnitName)));
        Assert.Contains("User=nobody", File.ReadAllText(_tmp.Combine("system-units", SystemdUnit.UnitName)));
    }

    [Theory]
    [InlineData("{\"gatewayHost\":", "", "not valid JSON")]
    [InlineData("[1,2]", "", "JSON object")]
    [InlineData("{\"gatewayprt\":18789}", "gatewayprt", "Unknown property 'gatewayprt'")]
    [InlineData("{\"DisplayName\":\"x\"}", "DisplayName", "Did you mean 'displayName'")]
    [InlineData("{\"gatewayPort\":\"18789\"}", "gatewayPort", "Property 'gatewayPort' must be an integer (got a string")]
    [InlineData("{\"gatewayPort\":70000}", "gatewayPort", "from 1 to 65535")]
    [InlineData("{\"tls\":\"yes\"}", "tls", "Property 'tls' must be true or false")]
    [InlineData("{\"_exist\":1}", "_exist", "Property '_exist' must be true or false")]
    [InlineData("{\"execSecurity\":\"Allowlist\"}", "execSecurity", "must be one of deny, allowlist, full")]
    [InlineData("{\"scope\":\"machine\"}", "scope", "must be one of user, system")]
    [InlineData("{\"gatewayHost\":\"http://gw\"}", "gatewayHost", "Property 'gatewayHost'")]
    [InlineData("{\"tlsFingerprint\":\"abcd\"}", "tlsFingerprint", "SHA-256")]
    [InlineData("{\"allowlist\":\"/usr/bin/git\"}", "allowlist", "Property 'allowlist' must be an array")]
    [InlineData("{\"allowlist\":[{\"agent\":\"main\",\"pattern\":\"x\"}]}", "allowlist[0].agent", "Unknown property 'allowlist[0].agent'")]
    [InlineData("{\"allowlist\":[{\"agentId\":\"main\"}]}", "allowlist[0].pattern", "'allowlist[0].pattern' is required")]
    [InlineData("{\"allowlist\":[{\"pattern\":\"/bin/sh\"}]}", "allowlist[0]", "Property 'allowlist[0]'")]
    public void Invalid_input_exits_2_with_one_error_line_naming_the_property(string json, string property, string mentions)
    {
        foreach (string op in new[] { "get", "test", "set" })
        {
            NodeDscResult r = Resource().Invoke(op, json);
            Assert.Equal(NodeDscExitCodes.InvalidInput, r.ExitCode);
            Assert.Empty(r.Output);
            JsonObject error = (JsonObject)JsonNode.Parse(Assert.Single(r.Messages))!;
            string message = (string)error["error"]!;
            Assert.Contains(mentions, message);
            if (property.Length > 0) { Assert.Contains("'" + property + "'", message); }
        }
        Assert.False(Directory.Exists(StateDir));
        Assert.DoesNotContain(_user.Calls, c => !c.Contains(" show "));
    }

    [Fact]
    public void A_token_file_that_others_can_read_is_refused_with_exit_78_and_nothing_is_installed()
    {
        string path = WriteTokenFile();
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        NodeDscResult r = Resource().Invoke("set", Instance("\"tokenFile\":" + JsonValue.Create(path)!.ToJsonString()));
        Assert.Equal(NodeDscExitCodes.StateFile, r.ExitCode);
        Assert.Contains("chmod 600", Assert.Single(r.Messages));
        Assert.DoesNotContain(Token, r.Messages[0]);
        Assert.False(File.Exists(_tmp.Combine("user-units", SystemdUnit.UnitName)));
    }

    [Fact]
    public void A_broken_exec_approvals_file_is_exit_78_naming_the_file()
    {
        Directory.CreateDirectory(StateDir);
        string file = Path.Combine(StateDir, "exec-approvals.json");
        File.WriteAllText(file, "{\"version\":1,");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        NodeDscResult r = Resource().Invoke("test", Instance("\"execSecurity\":\"deny\""));
        Assert.Equal(NodeDscExitCodes.StateFile, r.ExitCode);
        Assert.Contains("exec-approvals.json", Assert.Single(r.Messages));
    }

    [Fact]
    public void Schema_is_closed_and_lists_every_property_the_parser_accepts()
    {
        NodeDscResult r = Resource().Invoke("schema", null);
        JsonObject schema = (JsonObject)JsonNode.Parse(Assert.Single(r.Output))!;
        Assert.False((bool)schema["additionalProperties"]!);
        Assert.Equal(NodeDscInstance.PropertyNames, ((JsonObject)schema["properties"]!).Select(p => p.Key).ToArray());
        Assert.Equal("https://aka.ms/dsc/schemas/v3/resource/properties/exist.json", (string)schema["properties"]!["_exist"]!["$ref"]!);
        Assert.True((bool)schema["properties"]!["tokenFile"]!["writeOnly"]!);
        Assert.DoesNotContain("\"token\"", r.Output[0]);
    }
}
