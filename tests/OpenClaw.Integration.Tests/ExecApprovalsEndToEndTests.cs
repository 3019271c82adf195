using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>Exec approvals on our node, driven by the real gateway and the real OpenClaw CLI.</summary>
[Collection("gateway")]
public sealed class ExecApprovalsEndToEndTests
{
    private readonly RealGateway _gw;

    public ExecApprovalsEndToEndTests(GatewayFixture fixture) => _gw = fixture.Gateway;

    [Fact]
    public async Task Real_approvals_cli_edits_our_policy_and_system_run_honours_it()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await EndToEndTests.StartApprovedAsync(_gw, dir, "appr-cli");
        await using var _ = node;

        string get = await _gw.CliAsync("approvals", "get", "--node", "appr-cli", "--json");
        JsonObject snapshot = (JsonObject)JsonNode.Parse(get)!;
        Assert.False(snapshot.Bool("exists"));
        Assert.Equal(dir.File("exec-approvals.json"), snapshot.Str("path"));

        string policy = dir.File("policy.json");
        File.WriteAllText(policy, "{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"off\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/usr/bin/echo\"}]}}}");
        await _gw.CliAsync("approvals", "set", "--node", "appr-cli", "--file", policy);
        JsonObject stored = (JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("exec-approvals.json")))!;
        Assert.Equal("allowlist", stored.Obj("defaults").Str("security"));
        Assert.False(string.IsNullOrEmpty(stored.Obj("socket").Str("token")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File("exec-approvals.json")));

        string again = await _gw.CliAsync("approvals", "get", "--node", "appr-cli", "--json");
        Assert.DoesNotContain(stored.Obj("socket").Str("token")!, again);
        Assert.Contains("/usr/bin/echo", again);

        await using OperatorClient op = await _gw.OperatorAsync();
        JsonNode? ok = await op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "echo", "allowed" }), ["agentId"] = "main" }, 15000, default);
        Assert.Equal("allowed\n", ok.Str("stdout"));
        var denied = await Assert.ThrowsAsync<GatewayException>(() =>
            op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "id" }), ["agentId"] = "main" }, 15000, default));
        Assert.Contains("SYSTEM_RUN_DENIED: allowlist miss", denied.Message);
        Assert.Contains("/usr/bin/id", denied.Message);
        var wrapper = await Assert.ThrowsAsync<GatewayException>(() =>
            op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "sh", "-c", "echo sneaky" }), ["rawCommand"] = "echo sneaky", ["agentId"] = "main" }, 15000, default));
        Assert.Contains("shell wrapper", wrapper.Message);

        // The allowed run was recorded on its entry.
        JsonObject after = (JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("exec-approvals.json")))!;
        JsonNode entry = after.Obj("agents")!.Obj("main")!.Arr("allowlist")![0]!;
        Assert.Equal("echo allowed", entry.Str("lastUsedCommand"));
        Assert.Equal("/usr/bin/echo", entry.Str("lastResolvedPath"));

        // A stale base hash through the gateway RPC is refused and nothing changes.
        string before = File.ReadAllText(dir.File("exec-approvals.json"));
        var stale = await Assert.ThrowsAsync<GatewayException>(() => op.CallAsync("exec.approvals.node.set", new JsonObject
        {
            ["nodeId"] = deviceId,
            ["file"] = JsonNode.Parse("{\"version\":1,\"defaults\":{\"security\":\"full\"}}"),
            ["baseHash"] = new string('0', 64),
        }, null, default));
        Assert.Contains("changed; reload and retry", stale.Message);
        Assert.Equal(before, File.ReadAllText(dir.File("exec-approvals.json")));
    }

    [Fact]
    public async Task Prepare_then_operator_approval_then_run_works_and_unapproved_runs_are_denied()
    {
        using var dir = new StateDir();
        dir.WriteOwnerOnly("exec-approvals.json", "{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"on-miss\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/usr/bin/echo\"}]}}}");
        var (node, deviceId) = await EndToEndTests.StartApprovedAsync(_gw, dir, "appr-flow");
        await using var _ = node;
        await using OperatorClient op = await _gw.OperatorAsync();

        var unapproved = await Assert.ThrowsAsync<GatewayException>(() =>
            op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(new[] { "id" }), ["agentId"] = "main", ["sessionKey"] = "agent:main:main" }, 15000, default));
        Assert.Contains("approval required", unapproved.Message);

        JsonNode? prepared = await op.InvokeAsync(deviceId, "system.run.prepare", new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "id" }), ["agentId"] = "main", ["sessionKey"] = "agent:main:main",
        }, 15000, default);
        JsonObject plan = prepared.Obj("plan")!;
        Assert.Equal("/usr/bin/id", plan.StrArray("argv")![0]);
        Assert.Equal("allowlist", prepared.Obj("execPolicy").Str("security"));

        string approvalId = Guid.NewGuid().ToString();
        JsonNode? accepted = await op.CallAsync("exec.approval.request", new JsonObject
        {
            ["id"] = approvalId,
            ["command"] = plan.Str("commandText"),
            ["commandArgv"] = plan["argv"]!.DeepClone(),
            ["systemRunPlan"] = plan.DeepClone(),
            ["cwd"] = plan.Str("cwd"),
            ["nodeId"] = deviceId,
            ["host"] = "node",
            ["security"] = "allowlist",
            ["ask"] = "on-miss",
            ["agentId"] = "main",
            ["sessionKey"] = "agent:main:main",
            ["timeoutMs"] = 60000,
            ["twoPhase"] = true,
            ["requireDeliveryRoute"] = false,
        }, null, default);
        Assert.Equal("accepted", accepted.Str("status"));
        await op.CallAsync("exec.approval.resolve", new JsonObject { ["id"] = approvalId, ["decision"] = "allow-once" }, null, default);

        JsonNode? run = await op.InvokeAsync(deviceId, "system.run", new JsonObject
        {
            ["command"] = plan["argv"]!.DeepClone(),
            ["rawCommand"] = plan.Str("commandText"),
            ["cwd"] = plan.Str("cwd"),
            ["agentId"] = "main",
            ["sessionKey"] = "agent:main:main",
            ["runId"] = approvalId,
            ["approved"] = true,
            ["approvalDecision"] = "allow-once",
        }, 15000, default);
        Assert.Equal(0, (int)run!["exitCode"]!);
        Assert.Contains("uid=", run.Str("stdout"));
    }

    [Fact]
    public async Task Each_mode_allows_or_denies_through_node_invoke_as_configured()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await EndToEndTests.StartApprovedAsync(_gw, dir, "appr-modes");
        await using var _ = node;
        await using OperatorClient op = await _gw.OperatorAsync();

        async Task SetPolicy(string file)
        {
            JsonNode? current = await op.CallAsync("exec.approvals.node.get", new JsonObject { ["nodeId"] = deviceId }, null, default);
            await op.CallAsync("exec.approvals.node.set", new JsonObject { ["nodeId"] = deviceId, ["file"] = JsonNode.Parse(file), ["baseHash"] = current.Str("hash") }, null, default);
        }
        Task<JsonNode?> Run(params string[] argv) =>
            op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = Json.ToArray(argv), ["agentId"] = "main" }, 15000, default);

        await SetPolicy("{\"version\":1,\"defaults\":{\"security\":\"full\",\"ask\":\"off\"}}");
        JsonNode? full = await Run("id", "-un");
        Assert.Equal(0, (int)full!["exitCode"]!);
        Assert.Equal(Environment.UserName, full.Str("stdout")!.Trim());

        await SetPolicy("{\"version\":1,\"defaults\":{\"security\":\"deny\"}}");
        var deny = await Assert.ThrowsAsync<GatewayException>(() => Run("echo", "x"));
        Assert.Contains("SYSTEM_RUN_DISABLED: security=deny", deny.Message);

        await SetPolicy("{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"always\"},\"agents\":{\"main\":{\"allowlist\":[{\"pattern\":\"/usr/bin/echo\"}]}}}");
        var always = await Assert.ThrowsAsync<GatewayException>(() => Run("echo", "x"));
        Assert.Contains("approval required", always.Message);

        // The gateway itself refuses raw node.invoke of the approvals commands (AP-08).
        var raw = await Assert.ThrowsAsync<GatewayException>(() => op.InvokeAsync(deviceId, "system.execApprovals.get", new JsonObject(), 15000, default));
        Assert.Contains("exec.approvals.node", raw.Message);
    }

    [Fact]
    public async Task Remote_edits_apply_through_the_gateway_and_honour_the_local_lock()
    {
        using var dir = new StateDir();
        var (node, deviceId) = await EndToEndTests.StartApprovedAsync(_gw, dir, "appr-remote");
        await using var _ = node;
        await using OperatorClient op = await _gw.OperatorAsync();

        await op.EditAsync(deviceId, new OpenClaw.Node.Approvals.ExecApprovalChange { Security = "allowlist", Ask = "off" }, default);
        JsonObject snap = await op.EditAsync(deviceId, new OpenClaw.Node.Approvals.ExecApprovalChange { AgentId = "main", AddPatterns = new[] { "/usr/bin/echo" } }, default);
        JsonObject file = (JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("exec-approvals.json")))!;
        Assert.Equal("allowlist", file.Obj("defaults").Str("security"));
        Assert.Equal("/usr/bin/echo", file.Obj("agents")!.Obj("main")!.Arr("allowlist")![0].Str("pattern"));
        Assert.Equal(snap.Str("hash"), OpenClaw.Node.Internal.Hex.Sha256(File.ReadAllText(dir.File("exec-approvals.json"))));

        // Invalid changes are refused before anything is sent.
        await Assert.ThrowsAsync<ArgumentException>(() => op.EditAsync(deviceId, new OpenClaw.Node.Approvals.ExecApprovalChange { AgentId = "main", AddPatterns = new[] { "/bin/bash" } }, default));
        await Assert.ThrowsAsync<ArgumentException>(() => op.EditAsync(deviceId, new OpenClaw.Node.Approvals.ExecApprovalChange { Security = "fulll" }, default));
    }

    [Fact]
    public async Task A_node_locked_with_remoteEdits_deny_refuses_gateway_edits()
    {
        using var dir = new StateDir();
        dir.WriteOwnerOnly("node.json", "{\"version\":1,\"nodeId\":\"locked-node\",\"execApprovals\":{\"remoteEdits\":\"deny\"}}");
        var (node, deviceId) = await EndToEndTests.StartApprovedAsync(_gw, dir, "appr-locked");
        await using var _ = node;
        await using OperatorClient op = await _gw.OperatorAsync();
        var ex = await Assert.ThrowsAsync<GatewayException>(() => op.EditAsync(deviceId, new OpenClaw.Node.Approvals.ExecApprovalChange { Security = "full" }, default));
        Assert.Contains("managed locally", ex.Message);
        Assert.False(File.Exists(dir.File("exec-approvals.json")));
        // The real CLI is refused the same way.
        File.WriteAllText(dir.File("policy.json"), "{\"version\":1,\"defaults\":{\"security\":\"full\"}}");
        var cli = await Assert.ThrowsAsync<InvalidOperationException>(() => _gw.CliAsync("approvals", "set", "--node", "appr-locked", "--file", dir.File("policy.json")));
        Assert.Contains("managed locally", cli.Message);
        Assert.False(File.Exists(dir.File("exec-approvals.json")));
    }
}
