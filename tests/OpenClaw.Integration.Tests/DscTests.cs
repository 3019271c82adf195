using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using OpenClaw.Node.Dsc;
using OpenClaw.Node.Operator;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>Runs <c>openclaw-node</c> as DSC does: arguments from the manifest, the instance JSON on stdin.</summary>
internal static class DscProcess
{
    public static string ManifestPath => Path.Combine(RealGateway.RepoRoot, "module", "OpenClaw.Node.dsc.resource.json");

    public static JsonObject Manifest => (JsonObject)JsonNode.Parse(File.ReadAllText(ManifestPath))!;

    /// <summary>Runs the host with <paramref name="args"/>, writes <paramref name="stdin"/> (null: no stdin at all) and returns exit code, stdout lines and stderr lines.</summary>
    public static async Task<(int Code, string[] Out, string[] Err)> RunAsync(IEnumerable<string> args, string? stdin, IReadOnlyDictionary<string, string>? env = null, string? token = null)
    {
        var environment = new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = null };
        foreach (var kv in env ?? new Dictionary<string, string>()) { environment[kv.Key] = kv.Value; }
        HostCli.Result r = await HostCli.RunAsync(args, token, environment, stdin, TimeSpan.FromMinutes(2));
        return (r.ExitCode, r.StdoutLines, r.StderrLines);
    }

    /// <summary>Runs one manifest operation (<c>get</c>, <c>set</c>, <c>test</c>, <c>whatIf</c>) exactly as the manifest says.</summary>
    public static Task<(int Code, string[] Out, string[] Err)> OperationAsync(string operation, string instance, IReadOnlyDictionary<string, string>? env = null, string? token = null)
    {
        JsonObject op = (JsonObject)Manifest[operation]!;
        Assert.Equal("openclaw-node", (string)op["executable"]!);
        Assert.Equal("stdin", (string)op["input"]!);
        return RunAsync(((JsonArray)op["args"]!).Select(a => (string)a!), instance, env, token);
    }
}

/// <summary>The shipped DSC manifest and the <c>openclaw-node dsc</c> entry point as a real process (no gateway needed).</summary>
public sealed class DscManifestTests
{
    private static string Instance(string stateDir, string more = "") =>
        "{\"stateDirectory\":" + JsonValue.Create(stateDir)!.ToJsonString() + (more.Length > 0 ? "," + more : string.Empty) + "}";

    [Fact]
    public void The_manifest_follows_the_DSC_v3_resource_manifest_schema()
    {
        JsonObject m = DscProcess.Manifest;
        Assert.Equal("https://aka.ms/dsc/schemas/v3/bundled/resource/manifest.json", (string)m["$schema"]!);
        Assert.Matches(new Regex(@"^\w+(\.\w+){0,3}/\w+$"), (string)m["type"]!);
        Assert.Equal(NodeDscSchema.ResourceType, (string)m["type"]!);
        string version = Regex.Match(File.ReadAllText(Path.Combine(RealGateway.RepoRoot, "Directory.Build.props")), "<ModuleVersion>([^<]+)</ModuleVersion>").Groups[1].Value;
        Assert.Equal(version, (string)m["version"]!);   // bump it with ModuleVersion
        Assert.All(((JsonArray)m["tags"]!).Select(t => (string)t!), t => Assert.Matches(new Regex(@"^\w+$"), t));
        string[] allowedTop = { "$schema", "type", "version", "description", "kind", "tags", "get", "set", "whatIf", "test", "delete", "export", "validate", "resolve", "adapter", "exitCodes", "schema" };
        Assert.All(m.Select(kv => kv.Key), k => Assert.Contains(k, allowedTop));
        foreach (string op in new[] { "get", "set", "whatIf", "test" })
        {
            JsonObject o = (JsonObject)m[op]!;
            string[] allowed = op is "set" or "whatIf" ? new[] { "executable", "args", "input", "implementsPretest", "handlesExist", "return" } : op == "test" ? new[] { "executable", "args", "input", "return" } : new[] { "executable", "args", "input" };
            Assert.All(o.Select(kv => kv.Key), k => Assert.Contains(k, allowed));
            Assert.All((JsonArray)o["args"]!, a => Assert.IsType<string>((string)a!));   // no jsonInputArg object next to input: stdin
            if (o["return"] is JsonNode r) { Assert.Contains((string)r!, new[] { "state", "stateAndDiff" }); }
        }
        Assert.True((bool)m["set"]!["handlesExist"]!);
        Assert.True((bool)m["set"]!["implementsPretest"]!);
        JsonObject codes = (JsonObject)m["exitCodes"]!;
        Assert.All(codes, kv => { Assert.Matches(new Regex("^-?[0-9]+$"), kv.Key); Assert.IsType<string>((string)kv.Value!); Assert.True(((string)kv.Value!).Length <= 80, kv.Key); });
        Assert.Equal(new[] { NodeDscExitCodes.Success, NodeDscExitCodes.Failure, NodeDscExitCodes.InvalidInput, NodeDscExitCodes.ServiceFailed, NodeDscExitCodes.StateFile }.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)), codes.Select(kv => kv.Key));
        JsonObject embedded = (JsonObject)m["schema"]!["embedded"]!;
        Assert.Equal("object", (string)embedded["type"]!);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string)embedded["$schema"]!);
        Assert.Equal("https://aka.ms/dsc/schemas/v3/resource/properties/exist.json", (string)embedded["properties"]!["_exist"]!["$ref"]!);
        Assert.Equal("https://aka.ms/dsc/schemas/v3/resource/properties/inDesiredState.json", (string)embedded["properties"]!["_inDesiredState"]!["$ref"]!);
    }

    [Fact]
    public async Task The_embedded_schema_is_what_dsc_schema_prints()
    {
        var (code, output, err) = await DscProcess.RunAsync(new[] { "dsc", "schema" }, stdin: null);
        Assert.True(code == 0, string.Join("\n", err));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Assert.Single(output)), DscProcess.Manifest["schema"]!["embedded"]),
            "module/OpenClaw.Node.dsc.resource.json embeds an outdated schema: replace schema.embedded with the output of 'openclaw-node dsc schema'.");
    }

    [Fact]
    public async Task Every_manifest_operation_runs_and_prints_what_its_return_kind_promises()
    {
        using var dir = new StateDir();
        string instance = Instance(dir.Path, "\"_exist\":false");

        var get = await DscProcess.OperationAsync("get", instance);
        Assert.True(get.Code == 0, string.Join("\n", get.Err));
        JsonObject state = Assert.IsType<JsonObject>(JsonNode.Parse(Assert.Single(get.Out)));
        Assert.False((bool)state["_exist"]!);
        Assert.Equal(dir.Path, (string)state["stateDirectory"]!);

        foreach (string op in new[] { "test", "set", "whatIf" })
        {
            var r = await DscProcess.OperationAsync(op, instance);
            Assert.True(r.Code == 0, op + ": " + string.Join("\n", r.Err));
            Assert.Equal(2, r.Out.Length);   // stateAndDiff: the state, then the differing properties
            Assert.IsType<JsonObject>(JsonNode.Parse(r.Out[0]));
            Assert.Empty(Assert.IsType<JsonArray>(JsonNode.Parse(r.Out[1])));
        }
        Assert.False(Directory.Exists(dir.Path), "a node already absent was changed");
    }

    [Fact]
    public async Task Get_of_a_node_that_is_not_installed_and_test_with_differences_as_a_process()
    {
        using var dir = new StateDir();
        var get = await DscProcess.OperationAsync("get", Instance(dir.Path));
        Assert.Equal(0, get.Code);
        JsonObject s = (JsonObject)JsonNode.Parse(get.Out[0])!;
        Assert.Equal((false, false, "full"), ((bool)s["_exist"]!, (bool)s["running"]!, (string)s["execSecurity"]!));

        var test = await DscProcess.OperationAsync("test", Instance(dir.Path, "\"execSecurity\":\"allowlist\",\"displayName\":\"dsc-node\""));
        Assert.Equal(0, test.Code);
        Assert.False((bool)JsonNode.Parse(test.Out[0])!["_inDesiredState"]!);
        Assert.Equal("[\"_exist\",\"running\",\"displayName\",\"execSecurity\"]", test.Out[1]);
    }

    [Theory]
    [InlineData("{\"stateDirectory\":", "not valid JSON")]
    [InlineData("{\"gatewayPort\":\"18789\"}", "Property 'gatewayPort' must be an integer")]
    [InlineData("{\"displayname\":\"x\"}", "Unknown property 'displayname'. Did you mean 'displayName'?")]
    [InlineData("{\"execAsk\":\"sometimes\"}", "Property 'execAsk' must be one of off, on-miss, always")]
    public async Task Invalid_input_exits_2_with_an_error_line_DSC_understands(string instance, string mentions)
    {
        foreach (string op in new[] { "get", "test", "set" })
        {
            var r = await DscProcess.OperationAsync(op, instance);
            Assert.Equal(2, r.Code);
            Assert.Empty(r.Out);
            JsonObject line = Assert.IsType<JsonObject>(JsonNode.Parse(Assert.Single(r.Err)));
            Assert.Contains(mentions, (string)line["error"]!);
        }
    }
}

/// <summary>
/// DSC set against a real systemd user manager and the real gateway: set installs the node as a systemd user service
/// that connects, test then reports the desired state, and <c>_exist: false</c> removes it again.
/// </summary>
[Collection("gateway")]
public sealed class DscServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly RealGateway _gateway;

    public DscServiceTests(GatewayFixture fixture) => _gateway = fixture.Gateway;

    private async Task<NodeInfo?> WaitForNodeAsync(string displayName, bool connected)
    {
        await using OperatorClient op = await _gateway.OperatorAsync();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            NodeInfo? n = (await op.GetNodesAsync(default)).FirstOrDefault(x => x.DisplayName == displayName);
            if (n is not null && n.Connected == connected) { return n; }
            if (n is null && !connected) { return null; }
            if (watch.Elapsed > Wait) { throw new TimeoutException($"Node '{displayName}' not {(connected ? "connected" : "disconnected")} within {Wait}."); }
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Dsc_set_installs_a_systemd_user_service_that_connects_and_test_then_reports_the_desired_state()
    {
        await using SystemdUserManager manager = await SystemdUserManager.StartAsync();
        using var state = new StateDir();
        string tokenFile = Path.Combine(manager.Root, "gateway.token");
        File.WriteAllText(tokenFile, _gateway.Token + "\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string name = "dsc-node-" + Guid.NewGuid().ToString("N").Substring(0, 6);
        string desired = "{" + string.Join(",",
            "\"stateDirectory\":" + JsonValue.Create(state.Path)!.ToJsonString(),
            "\"gatewayHost\":\"127.0.0.1\"",
            "\"gatewayPort\":" + _gateway.Port,
            "\"displayName\":\"" + name + "\"",
            "\"execSecurity\":\"allowlist\"",
            "\"execAsk\":\"on-miss\"",
            "\"allowlist\":[{\"agentId\":\"main\",\"pattern\":\"/usr/bin/git\"}]",
            "\"tokenFile\":" + JsonValue.Create(tokenFile)!.ToJsonString()) + "}";

        var before = await DscProcess.OperationAsync("test", desired, manager.Environment);
        Assert.Equal(0, before.Code);
        Assert.Contains("\"_exist\"", before.Out[1]);

        var set = await DscProcess.OperationAsync("set", desired, manager.Environment);
        Assert.True(set.Code == 0, string.Join("\n", set.Err));
        JsonObject after = (JsonObject)JsonNode.Parse(set.Out[0])!;
        Assert.True((bool)after["_exist"]! && (bool)after["running"]!);
        Assert.Contains((string?)after["connectionState"], new[] { "Connected", "AwaitingApproval" });
        Assert.Equal("[\"_exist\",\"running\",\"gatewayHost\",\"gatewayPort\",\"displayName\",\"execSecurity\",\"execAsk\",\"allowlist\"]", set.Out[1]);
        Assert.All(set.Out.Concat(set.Err), l => Assert.DoesNotContain(_gateway.Token, l));
        Assert.All(set.Err, l => Assert.IsType<JsonObject>(JsonNode.Parse(l)));   // only JSON Lines DSC understands on stderr
        string unit = File.ReadAllText(Path.Combine(manager.UnitDirectory, "openclaw-node.service"));
        Assert.DoesNotContain(_gateway.Token, unit);
        await WaitForNodeAsync(name, connected: true);

        var test = await DscProcess.OperationAsync("test", desired, manager.Environment);
        Assert.Equal(0, test.Code);
        Assert.True((bool)JsonNode.Parse(test.Out[0])!["_inDesiredState"]!, test.Out[1]);
        Assert.Equal("[]", test.Out[1]);

        var again = await DscProcess.OperationAsync("set", desired, manager.Environment);
        Assert.Equal((0, "[]"), (again.Code, again.Out[1]));   // idempotent

        var removed = await DscProcess.OperationAsync("set", "{\"stateDirectory\":" + JsonValue.Create(state.Path)!.ToJsonString() + ",\"_exist\":false}", manager.Environment);
        Assert.Equal((0, "[\"_exist\"]"), (removed.Code, removed.Out[1]));
        Assert.False(File.Exists(Path.Combine(manager.UnitDirectory, "openclaw-node.service")));
        await WaitForNodeAsync(name, connected: false);
    }
}
