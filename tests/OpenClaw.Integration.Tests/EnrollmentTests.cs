using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// A real gateway with loopback auto-approval OFF (every device needs approval, as for remote machines), bound to
/// loopback only, shared by the enrolment tests. Under heavy load the gateway sometimes fails its own 5 s start-up lease
/// check; one more attempt is made then.
/// </summary>
public sealed class EnrollmentGatewayFixture : IAsyncLifetime
{
    public RealGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        try { Gateway = await RealGateway.StartAsync(autoApproveLocal: false); }
        catch (InvalidOperationException ex) when (ex.Message.Contains("did not become ready", StringComparison.Ordinal))
        {
            Gateway = await RealGateway.StartAsync(autoApproveLocal: false);
        }
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

[CollectionDefinition("enrollment")]
public sealed class EnrollmentCollection { }

/// <summary>
/// Enrolment at scale (issue 10): twenty of our host processes join a gateway that approves nothing by itself, with one
/// operator call each way: setup codes (no approvals at all), or the shared token plus one filtered bulk approval that
/// refuses a decoy.
/// </summary>
[Collection("enrollment")]
public sealed class EnrollmentTests : IClassFixture<EnrollmentGatewayFixture>
{
    private const int Fleet = 20;
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(4);
    private readonly RealGateway _gw;
    private readonly ITestOutputHelper _out;

    public EnrollmentTests(EnrollmentGatewayFixture f, ITestOutputHelper output)
    {
        _gw = f.Gateway;
        _out = output;
    }

    private string[] Gw(params string[] args) => args.Concat(new[] { "--port", _gw.Port.ToString(), "--json" }).ToArray();

    /// <summary>Polls until system.which answers on every node (deadline <see cref="Wait"/>); returns the elapsed time.</summary>
    internal static async Task WaitAllServeAsync(OperatorClient op, IReadOnlyList<string> ids)
    {
        var pending = new HashSet<string>(ids);
        var watch = Stopwatch.StartNew();
        string last = string.Empty;
        while (pending.Count > 0)
        {
            if (watch.Elapsed > Wait) { throw new TimeoutException($"{pending.Count} node(s) did not answer system.which within {Wait}: {last}"); }
            await Task.WhenAll(pending.ToList().Select(async id =>
            {
                try
                {
                    JsonNode? r = await op.InvokeAsync(id, "system.which", new JsonObject { ["bins"] = Json.ToArray(new[] { "sh" }) }, 15000, default);
                    if (r.Obj("bins").Str("sh") is string path && path.StartsWith("/", StringComparison.Ordinal)) { lock (pending) { pending.Remove(id); } }
                }
                catch (GatewayException ex) { last = ex.Message; }
            }));
            if (pending.Count > 0) { await Task.Delay(500); }
        }
    }

    [Fact]
    public async Task Twenty_nodes_enrol_with_setup_codes_from_one_operator_call_and_no_approvals()
    {
        // The gateway listens on loopback only: without a public URL it refuses to mint codes, with a clear error.
        HostCli.Result refusedMint = await HostCli.RunAsync(_gw.Token, Gw("nodes", "setup-code"));
        Assert.Equal(1, refusedMint.ExitCode);
        Assert.Contains("--public-url", refusedMint.Stderr);

        // One operator call mints the fleet's codes (single-use: one per machine) for the URL the nodes use.
        HostCli.Result minted = await HostCli.RunAsync(_gw.Token, Gw("nodes", "setup-code", "--count", Fleet.ToString(), "--public-url", $"ws://127.0.0.1:{_gw.Port}"));
        Assert.True(minted.ExitCode == 0, minted.Stderr);
        JsonArray codes = minted.Json.AsArray();
        Assert.Equal(Fleet, codes.Count);
        Assert.All(codes, c =>
        {
            Assert.Equal("node", c.Str("access"));
            Assert.Equal($"ws://127.0.0.1:{_gw.Port}", c.Str("gatewayUrl"));
            Assert.Equal("request.publicUrl", c.Str("urlSource"));
        });
        Assert.Equal(Fleet, codes.Select(c => c.Str("setupCode")).Distinct().Count());

        var dirs = Enumerable.Range(0, Fleet).Select(_ => new StateDir()).ToList();
        var nodes = new List<NodeProcess>();
        var watch = Stopwatch.StartNew();
        try
        {
            // No shared token anywhere on the nodes: the code is all they get (from the environment, never argv).
            for (int i = 0; i < Fleet; i++)
            {
                nodes.Add(NodeProcess.StartRaw(dirs[i].Path, token: null,
                    new Dictionary<string, string> { ["OPENCLAW_SETUP_CODE"] = codes[i].Str("setupCode")! }, "--display-name", $"enrol-{i:00}"));
            }
            JsonObject[] connected = await Task.WhenAll(nodes.Select(n => n.WaitForStateAsync("Connected", Wait)));
            TimeSpan allConnected = watch.Elapsed;
            var ids = connected.Select(c => c.Str("deviceId")!).ToList();
            Assert.Equal(Fleet, ids.Distinct().Count());
            Assert.All(connected, c => Assert.Contains("auth bootstrap-token", c.Str("message")));

            await using OperatorClient op = await _gw.OperatorAsync();
            await WaitAllServeAsync(op, ids);
            TimeSpan allServing = watch.Elapsed;
            _out.WriteLine($"setup codes: {Fleet} nodes connected after {allConnected.TotalSeconds:0.0} s, all answered system.which after {allServing.TotalSeconds:0.0} s");

            // Nobody approved anything, and nothing is left pending for them.
            IReadOnlyList<NodeRequestInfo> pending = await op.GetRequestsAsync(default);
            Assert.DoesNotContain(pending, r => ids.Contains(r.NodeId));
            IReadOnlyList<NodeInfo> listed = await op.GetNodesAsync(default);
            foreach (string id in ids) { Assert.Contains(listed, n => n.NodeId == id && n.ApprovalState == "approved" && n.Connected); }

            // The device token replaced the code: stored, and the bootstrap token is nowhere in state or output.
            for (int i = 0; i < Fleet; i++)
            {
                string code = codes[i].Str("setupCode")!;
                string bootstrap = JsonNode.Parse(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(code))))!.Str("bootstrapToken")!;
                string nodeJson = File.ReadAllText(dirs[i].File("node.json"));
                Assert.NotNull(JsonNode.Parse(nodeJson).Str("token"));
                Assert.DoesNotContain(bootstrap, nodeJson);
                Assert.DoesNotContain(bootstrap, nodes[i].Stderr);
                Assert.DoesNotContain(code, nodes[i].Stderr);
                Assert.DoesNotContain(bootstrap, string.Join("\n", nodes[i].Statuses.Select(s => s.ToJsonString())));
            }

            // A restart keeps the code in its environment, but the node uses its device token and never the code again.
            await nodes[0].StopAsync(TimeSpan.FromSeconds(30));
            await using NodeProcess again = NodeProcess.StartRaw(dirs[0].Path, token: null,
                new Dictionary<string, string> { ["OPENCLAW_SETUP_CODE"] = codes[0].Str("setupCode")! }, "--display-name", "enrol-00");
            JsonObject back = await again.WaitForStateAsync("Connected", Wait);
            Assert.Contains("auth device-token", back.Str("message"));
            Assert.Contains("was not used", again.Stderr);

            // Codes are single-use: a second machine with a used code is refused with exit 77 and a clear message.
            using var extra = new StateDir();
            await using NodeProcess reuse = NodeProcess.StartRaw(extra.Path, token: null,
                new Dictionary<string, string> { ["OPENCLAW_SETUP_CODE"] = codes[1].Str("setupCode")! }, "--display-name", "enrol-reuse");
            Assert.Equal(77, await reuse.WaitForExitAsync(Wait));
            Assert.Contains("already used", reuse.Stderr);
            Assert.DoesNotContain(codes[1].Str("setupCode")!, reuse.Stderr);
        }
        finally
        {
            foreach (NodeProcess n in nodes) { await n.DisposeAsync(); }
            foreach (StateDir d in dirs) { d.Dispose(); }
        }
    }

    [Fact]
    public async Task Twenty_nodes_on_the_shared_token_are_approved_by_one_filtered_call_and_broader_requests_are_refused()
    {
        var dirs = Enumerable.Range(0, Fleet + 2).Select(_ => new StateDir()).ToList();
        var nodes = new List<NodeProcess>();
        var watch = Stopwatch.StartNew();
        try
        {
            string[] Endpoint() => new[] { "--host", "127.0.0.1", "--port", _gw.Port.ToString() };
            for (int i = 0; i < Fleet; i++)
            {
                nodes.Add(NodeProcess.StartRaw(dirs[i].Path, _gw.Token, null,
                    Endpoint().Concat(new[] { "--display-name", $"fleet-b-{i:00}", "--commands", "system.run,system.which" }).ToArray()));
            }
            // Decoys: a matching name with the full (broader) surface, and a narrow node with a name outside the pattern.
            NodeProcess broad = NodeProcess.StartRaw(dirs[Fleet].Path, _gw.Token, null, Endpoint().Concat(new[] { "--display-name", "fleet-b-decoy" }).ToArray());
            NodeProcess other = NodeProcess.StartRaw(dirs[Fleet + 1].Path, _gw.Token, null,
                Endpoint().Concat(new[] { "--display-name", "other-b", "--commands", "system.which" }).ToArray());
            nodes.Add(broad);
            nodes.Add(other);
            JsonObject[] waiting = await Task.WhenAll(nodes.Select(n => n.WaitForStateAsync("PairingRequired", Wait)));
            var ids = waiting.Take(Fleet).Select(s => s.Str("deviceId")!).ToList();
            string broadId = waiting[Fleet].Str("deviceId")!, otherId = waiting[Fleet + 1].Str("deviceId")!;

            // One operator call approves device and surface for every matching node.
            var approveWatch = Stopwatch.StartNew();
            HostCli.Result approve = await HostCli.RunAsync(_gw.Token, Gw("nodes", "approve", "--all", "--platform", "linux", "--name", "fleet-b-*",
                "--allowed-command", "system.run,system.which", "--include-command-surface", "--timeout-sec", "180"));
            _out.WriteLine($"filtered approval call took {approveWatch.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal(1, approve.ExitCode);   // something was refused
            JsonArray outcomes = approve.Json.AsArray();
            foreach (string id in ids)
            {
                Assert.Contains(outcomes, o => o.Str("nodeId") == id && o.Str("kind") == "device" && o.Str("outcome") == "Approved");
                Assert.Contains(outcomes, o => o.Str("nodeId") == id && o.Str("kind") == "commandSurface" && o.Str("outcome") == "Approved");
            }
            JsonNode refused = outcomes.Single(o => o.Str("nodeId") == broadId && o.Str("kind") == "commandSurface")!;
            Assert.Equal("Refused", refused.Str("outcome"));
            Assert.Equal("NodeRequestCommandsTooBroad", refused.Str("errorId"));
            Assert.Contains("system.run.prepare", refused.Str("message"));
            JsonNode skipped = outcomes.Single(o => o.Str("nodeId") == otherId)!;
            Assert.Equal("Skipped", skipped.Str("outcome"));
            Assert.Equal("NodeRequestNameNotMatched", skipped.Str("errorId"));
            Assert.Equal(2 * Fleet + 3, outcomes.Count);   // 22 device requests (one skipped) + 21 surfaces of the approved devices

            await using OperatorClient op = await _gw.OperatorAsync();
            await WaitAllServeAsync(op, ids);
            _out.WriteLine($"shared token + filtered approval: {Fleet} nodes answered system.which {watch.Elapsed.TotalSeconds:0.0} s after start");

            // The refused and skipped requests stay pending; the decoy can run nothing.
            IReadOnlyList<NodeRequestInfo> pending = await op.GetRequestsAsync(default);
            Assert.Contains(pending, r => r.NodeId == broadId && r.Kind == NodeRequestKind.CommandSurface);
            Assert.Contains(pending, r => r.NodeId == otherId && r.Kind == NodeRequestKind.Device);
            await Assert.ThrowsAsync<GatewayException>(() => op.InvokeAsync(broadId, "system.which", new JsonObject { ["bins"] = Json.ToArray(new[] { "sh" }) }, 10000, default));
            IReadOnlyList<NodeInfo> listed = await op.GetNodesAsync(default);
            foreach (string id in ids)
            {
                NodeInfo n = listed.Single(x => x.NodeId == id);
                Assert.Equal("approved", n.ApprovalState);
                Assert.Equal(new[] { "system.run", "system.which" }, n.Commands.OrderBy(c => c, StringComparer.Ordinal).ToArray());
            }

            // The same filter from the engine (what Approve-OpenClawNodeRequest -All uses) refuses the decoy again, per request.
            IReadOnlyList<NodeRequestOutcome> second = await op.ApproveMatchingAsync(new NodeRequestFilter
            {
                DisplayNamePatterns = new[] { "fleet-b-*" },
                AllowedCommands = new[] { "system.run", "system.which" },
            }, includeCommandSurface: false, TimeSpan.FromSeconds(1), null, default);
            NodeRequestOutcome again = second.Single(o => o.Request.NodeId == broadId);
            Assert.Equal(NodeRequestOutcomeKind.Refused, again.Outcome);
            Assert.Equal("NodeRequestCommandsTooBroad", again.ErrorId);
            Assert.DoesNotContain(second, o => (o.Request.NodeId == broadId || o.Request.NodeId == otherId) && o.Outcome == NodeRequestOutcomeKind.Approved);
            Assert.Equal(NodeRequestOutcomeKind.Skipped, second.Single(o => o.Request.NodeId == otherId).Outcome);
        }
        finally
        {
            foreach (NodeProcess n in nodes) { await n.DisposeAsync(); }
            foreach (StateDir d in dirs) { d.Dispose(); }
        }
    }

    private static string Pad(string base64Url)
    {
        string s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}
