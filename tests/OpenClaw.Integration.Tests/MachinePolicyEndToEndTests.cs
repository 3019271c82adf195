using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// The machine policy enforced by our real host against the real gateway: a policy file (OPENCLAW_POLICY_FILE, a
/// tighten-only layer on top of /etc/openclaw/policy.json) whose floor denies a command, clamps a loose
/// exec-approvals.json and refuses the operator's loosening edits; a run aimed at another gateway exits 78 untouched.
/// </summary>
[Collection("gateway")]
public sealed class MachinePolicyEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly RealGateway _gw;

    public MachinePolicyEndToEndTests(GatewayFixture fixture) => _gw = fixture.Gateway;

    /// <summary>The child environment that points <c>OPENCLAW_POLICY_FILE</c> at <paramref name="policy"/>.</summary>
    internal static IReadOnlyDictionary<string, string?> PolicyEnv(string policy) => new Dictionary<string, string?> { ["OPENCLAW_POLICY_FILE"] = policy };

    private static string WritePolicy(string dir, string json)
    {
        System.IO.Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "policy.json");
        File.WriteAllText(path, json);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    [Fact]
    public async Task Policy_floor_denies_a_command_clamps_the_file_and_refuses_remote_loosening()
    {
        using var dir = new StateDir();
        using var policyDir = new StateDir();
        string policy = WritePolicy(policyDir.Path,
            "{\"version\":1,\"gateway\":{\"host\":\"127.0.0.1\",\"port\":" + _gw.Port + "},\"logLevel\":\"debug\"," +
            "\"execApprovals\":{\"maxSecurity\":\"allowlist\",\"deniedCommands\":[\"id\"]}}");
        // exec-approvals.json "edited by hand": looser than the floor (security full) and allowlisting the denied command.
        dir.WriteOwnerOnly("exec-approvals.json", "{\"version\":1,\"defaults\":{\"security\":\"full\",\"ask\":\"off\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/usr/bin/echo\"},{\"pattern\":\"/usr/bin/id\"}]}}}");

        const string name = "policy-floor";
        NodeProcess node = NodeProcess.StartWithEnvironment(_gw, dir.Path, new Dictionary<string, string> { ["OPENCLAW_POLICY_FILE"] = policy }, "--display-name", name);
        await using var _ = node;
        JsonObject connected = await node.WaitForStateAsync("Connected", Wait);
        string deviceId = connected.Str("deviceId")!;
        await node.WaitForStateAsync("AwaitingApproval", Wait);
        await using OperatorClient op = await _gw.OperatorAsync();
        await node.ApproveCommandSurfaceAsync(op, deviceId, Wait);
        Assert.Contains("machine policy in force from " + policy, node.Stderr);

        // Allowed by the file and within the floor: runs.
        JsonNode? ok = await op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "echo", "fine" }), ["agentId"] = "main" }, 15000, default);
        Assert.Equal("fine\n", ok.Str("stdout"));

        // Denied by the policy although the file allowlists it.
        var denied = await Assert.ThrowsAsync<GatewayException>(() =>
            op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "id" }), ["agentId"] = "main" }, 15000, default));
        Assert.Contains("SYSTEM_RUN_DENIED", denied.Message);
        Assert.Contains("/usr/bin/id' is denied by the machine policy " + policy, denied.Message);

        // The file says security=full; the floor clamps it to allowlist, so an unlisted command is an allowlist miss.
        var clamped = await Assert.ThrowsAsync<GatewayException>(() =>
            op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "uname" }), ["agentId"] = "main" }, 15000, default));
        Assert.Contains("allowlist miss", clamped.Message);
        Assert.Contains("from machine policy " + policy, clamped.Message);

        // The operator tries to loosen the approvals remotely: refused with the reason, file unchanged.
        string file = File.ReadAllText(dir.File("exec-approvals.json"));
        string hash = Hex.Sha256(file);   // the node's compare-and-swap token: SHA-256 of the exact text
        var loosen = await Assert.ThrowsAsync<GatewayException>(() => op.CallAsync("exec.approvals.node.set", new JsonObject
        {
            ["nodeId"] = deviceId,
            ["file"] = JsonNode.Parse("{\"version\":1,\"defaults\":{\"security\":\"full\"}}"),
            ["baseHash"] = hash,
        }, null, default));
        Assert.Contains("may not exceed the machine policy", loosen.Message);
        Assert.Contains("security full is looser than the machine policy allows", loosen.Message);
        // The same through the real OpenClaw CLI: the operator sees the node's reason.
        string looser = Path.Combine(policyDir.Path, "looser.json");
        File.WriteAllText(looser, "{\"version\":1,\"defaults\":{\"security\":\"full\",\"ask\":\"off\"}}");
        var cli = await Assert.ThrowsAsync<InvalidOperationException>(() => _gw.CliAsync("approvals", "set", "--node", name, "--file", looser));
        Assert.Contains("may not exceed the machine policy", cli.Message);
        Assert.Equal(file, File.ReadAllText(dir.File("exec-approvals.json")));

        // Tightening within the floor is accepted.
        await op.CallAsync("exec.approvals.node.set", new JsonObject
        {
            ["nodeId"] = deviceId,
            ["file"] = JsonNode.Parse("{\"version\":1,\"defaults\":{\"security\":\"deny\",\"ask\":\"always\"}}"),
            ["baseHash"] = hash,
        }, null, default);
        Assert.Contains("\"deny\"", File.ReadAllText(dir.File("exec-approvals.json")));

        // The host's log file has the run, with the policy line, and never a token.
        string log = File.ReadAllText(Path.Combine(dir.Path, "logs", "openclaw-node.log"));
        Assert.Contains("machine policy in force", log);
        Assert.Contains("\"level\":\"debug\"", log);   // the policy's logLevel applies
        Assert.DoesNotContain(_gw.Token, log);
        string deviceToken = JsonNode.Parse(File.ReadAllText(dir.File("node.json")))!.Str("token")!;
        Assert.DoesNotContain(deviceToken, log);
        Assert.DoesNotContain(deviceToken, node.Stderr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir.Path, "logs", "openclaw-node.log")));

        // Status shows the policy in force and the clamped exec policy.
        var (code, stdout, _) = await HostCli.RunWithEnvAsync(PolicyEnv(policy), "status", "--state-dir", dir.Path, "--json");
        JsonObject status = (JsonObject)JsonNode.Parse(stdout)!;
        Assert.Equal(0, code);
        Assert.True(status.Obj("machinePolicy").Bool("inForce"));
        Assert.Equal(policy, status.Obj("machinePolicy")!.Arr("sources")![0]!.GetValue<string>());
        var (_, text, _) = await HostCli.RunWithEnvAsync(PolicyEnv(policy), "status", "--state-dir", dir.Path);
        Assert.Contains("Fleet rules: machine policy in force from " + policy + ": gateway 127.0.0.1:" + _gw.Port, text);
    }

    [Fact]
    public async Task A_host_started_for_another_gateway_than_the_policy_allows_exits_78_and_writes_nothing()
    {
        using var dir = new StateDir();
        using var policyDir = new StateDir();
        string policy = WritePolicy(policyDir.Path, "{\"version\":1,\"gateway\":{\"host\":\"gw.corp.example\",\"port\":443,\"tls\":true}}");
        // As under systemd: JOURNAL_STREAM set, so stderr lines carry the syslog priority journald stores.
        NodeProcess node = NodeProcess.StartWithEnvironment(_gw, dir.Path, new Dictionary<string, string> { ["OPENCLAW_POLICY_FILE"] = policy, ["JOURNAL_STREAM"] = "8:12345" });
        await using var _ = node;
        int code = await node.WaitForExitAsync(Wait);
        Assert.Equal(78, code);
        JsonObject failed = await node.WaitForStateAsync("Failed", TimeSpan.FromSeconds(5));
        Assert.Equal(78, (int)failed.Long("exitCode")!);
        Assert.Contains("<3>Refused by the machine policy " + policy, node.Stderr);
        Assert.Contains("allows only the gateway gw.corp.example:443 (TLS)", node.Stderr);
        Assert.Contains("'127.0.0.1'", node.Stderr);
        Assert.False(System.IO.Directory.Exists(dir.Path));   // no identity, node.json, status or log written

        // A policy file others can write is not policy: refused the same way, naming the fix.
        File.SetUnixFileMode(policy, (UnixFileMode)0x1B6);   // 0666
        var (showCode, show, _) = await HostCli.RunWithEnvAsync(PolicyEnv(policy), "policy", "show");
        Assert.Equal(78, showCode);
        Assert.Contains("is not policy", show);
        NodeProcess refused = NodeProcess.StartWithEnvironment(_gw, dir.Path, new Dictionary<string, string> { ["OPENCLAW_POLICY_FILE"] = policy });
        await using var __ = refused;
        Assert.Equal(78, await refused.WaitForExitAsync(Wait));
        Assert.Contains("chmod 644 " + policy, refused.Stderr);
        Assert.False(System.IO.Directory.Exists(dir.Path));
    }

    [Fact]
    public async Task A_log_level_that_is_not_a_level_exits_2_naming_the_choices()
    {
        using var dir = new StateDir();
        var (code, _, stderr) = await HostCli.RunAsync(null, "run", "--log-level", "loud", "--state-dir", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("'loud' not recognized", stderr);
        Assert.Contains("'warning'", stderr);
        Assert.False(System.IO.Directory.Exists(dir.Path));
    }

}
