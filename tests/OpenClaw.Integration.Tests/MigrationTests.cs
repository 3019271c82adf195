using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// A node paired with the official OpenClaw node host is switched to our host by <c>openclaw-node import</c> and keeps
/// its pairing: same device id, no new pairing request, commands served. The gateway does not auto-approve loopback
/// devices, so any new pairing would block the node.
/// </summary>
[Collection("migration")]
public sealed class MigrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = OfficialNodeHost.Wait;
    private RealGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await RealGateway.StartAsync(autoApproveLocal: false);

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    [Fact]
    public async Task Node_paired_with_the_official_host_keeps_its_pairing_after_import_into_our_host()
    {
        using var official = new StateDir();
        using var ours = new StateDir();
        const string name = "migrate-me";
        Directory.CreateDirectory(official.Path);

        // 1. The official node host pairs (device approval, then command-surface approval) and connects.
        string deviceId = await OfficialNodeHost.PairAndStopAsync(_gw, official.Path, name);
        string source = Path.Combine(official.Path, "state");
        Assert.True(File.Exists(Path.Combine(source, "state", "openclaw.sqlite")), "the official host keeps its state in state/openclaw.sqlite");
        Dictionary<string, string> before = Hashes(source);

        // 2. Dry run: nothing written, secrets masked.
        (int dryCode, string dryOut, string dryErr) = await HostCli.RunAsync(null, "import", "--from", source, "--state-dir", ours.Path, "--dry-run", "--json");
        Assert.True(dryCode == 0, dryErr);
        JsonObject plan = (JsonObject)JsonNode.Parse(dryOut)!;
        Assert.Equal(deviceId, plan.Str("deviceId"));
        Assert.True(plan.Bool("deviceToken"));
        Assert.False(File.Exists(ours.File("node.json")));
        Assert.False(Directory.Exists(ours.File("identity")));

        // 3. Import.
        (int code, string stdout, string stderr) = await HostCli.RunAsync(null, "import", "--from", source, "--state-dir", ours.Path, "--json");
        Assert.True(code == 0, stderr);
        JsonObject result = (JsonObject)JsonNode.Parse(stdout)!;
        Assert.Equal("sqlite", result.Str("sourceKind"));
        Assert.Equal(deviceId, result.Str("deviceId"));
        Assert.Equal(name, result.Str("displayName"));
        Assert.Equal(_gw.Port, (int)result.Obj("gateway").Long("port")!.Value);
        Assert.Equal(before, Hashes(source));
        NodeConfig imported = new NodeStateStore(ours.Path).LoadConfig()!;
        Assert.False(string.IsNullOrEmpty(imported.Token));
        Assert.DoesNotContain(imported.Token!, stdout + dryOut + stderr + dryErr, StringComparison.Ordinal);
        Assert.Equal(deviceId, new NodeStateStore(ours.Path).LoadIdentity()!.DeviceId);

        // 4. Our host on the imported state, WITHOUT the shared gateway token: only the imported device token can let it in.
        NodeProcess node = NodeProcess.Start(_gw, ours.Path, withToken: false);
        await using var _ = node;
        await node.WaitForStateAsync("Connected", Wait);
        await using (OperatorClient op = await _gw.OperatorAsync())
        {
            JsonNode? which = await op.InvokeAsync(deviceId, "system.which", new JsonObject { ["bins"] = Json.ToArray(new[] { "sh" }) }, 15000, default);
            Assert.NotNull(which.Obj("bins").Str("sh"));
            JsonObject devices = await op.ListDevicePairingAsync(default);
            Assert.Empty(devices.Arr("pending") ?? new JsonArray());
            JsonObject surfaces = await op.ListNodePairingAsync(default);
            Assert.Empty(surfaces.Arr("pending") ?? new JsonArray());
            JsonNode? listed = (await op.ListNodesAsync(default)).Arr("nodes")!.Single(n => n.Str("nodeId") == deviceId);
            Assert.True(listed.Bool("connected"));
            Assert.Equal(name, listed.Str("displayName"));
        }
        Assert.DoesNotContain(node.Statuses, s => s.Str("state") is "PairingRequired" or "AwaitingApproval");
        Assert.DoesNotContain(imported.Token!, node.Stderr, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Hashes(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".log", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}

[CollectionDefinition("migration")]
public sealed class MigrationCollection { }
