using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using FsCheck;
using FsCheck.Fluent;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>
/// Property-based hostile input (issue 7): the frame decoder and every command's parameter parsing turn anything into a
/// defined result — never an exception, a hang or memory out of proportion to the input.
/// </summary>
[Collection(MemoryMeasuringCollection.Name)]
public sealed class HostileInputTests
{
    private static Config Runs(int n) => Config.QuickThrowOnFailure.WithMaxTest(n).WithEndSize(200);

    private static void AssertDefined(DecodedFrame d)
    {
        Assert.NotNull(d);
        switch (d.Kind)
        {
            case FrameKind.Invalid:
                Assert.False(string.IsNullOrEmpty(d.Problem));
                Assert.Null(d.Frame);
                break;
            case FrameKind.Response:
                Assert.Equal("res", d.Frame.Str("type"));
                Assert.False(string.IsNullOrEmpty(d.Id));
                break;
            case FrameKind.Challenge:
                Assert.IsType<JsonObject>(d.Frame!["payload"]);
                break;
            case FrameKind.Event:
                Assert.Equal("event", d.Frame.Str("type"));
                Assert.False(string.IsNullOrEmpty(d.EventName));
                Assert.NotEqual("connect.challenge", d.EventName);
                break;
            default:
                throw new InvalidOperationException("unknown kind " + d.Kind);
        }
    }

    [Fact]
    public void Frame_decoder_gives_a_defined_result_for_any_bytes()
    {
        Prop.ForAll(HostileGen.FrameBytes.ToArbitrary(), bytes =>
        {
            AssertDefined(GatewayFrame.Decode(bytes));
            AssertDefined(GatewayFrame.Decode(Encoding.UTF8.GetString(bytes)));
            return true;
        }).Check(Runs(2000));
    }

    [Fact]
    public void Frame_decoder_routes_only_well_typed_frames()
    {
        Prop.ForAll(HostileGen.Frame.ToArbitrary(), frame =>
        {
            if (!HostileGen.TryUtf8(frame, out byte[] bytes)) { return true; }   // not serialisable by the test itself
            DecodedFrame d = GatewayFrame.Decode(bytes);
            AssertDefined(d);
            string? type = frame.Str("type");
            bool expectRouted = (type == "res" && !string.IsNullOrEmpty(frame.Str("id")))
                || (type == "event" && !string.IsNullOrEmpty(frame.Str("event"))
                    && (frame.Str("event") != "connect.challenge" || frame["payload"] is JsonObject));
            return expectRouted == (d.Kind != FrameKind.Invalid);
        }).Check(Runs(1000));
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    [InlineData(100_000, false)]
    public void Nesting_deeper_than_the_limit_is_rejected_not_a_stack_overflow(int depth, bool objects)
    {
        // Depth counts the frame object itself: payload nesting 63 is the deepest accepted.
        DecodedFrame accepted = GatewayFrame.Decode(HostileGen.Nested(GatewayFrame.MaxDepth - 1, objects, closed: true));
        Assert.Equal(FrameKind.Event, accepted.Kind);
        DecodedFrame d = GatewayFrame.Decode(HostileGen.Nested(depth, objects, closed: true));
        Assert.Equal(FrameKind.Invalid, d.Kind);
        Assert.Contains("depth", d.Problem, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("null")]
    [InlineData("\"str\"")]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("{\"type\":\"res\"}")]
    [InlineData("{\"type\":\"res\",\"id\":\"\"}")]
    [InlineData("{\"type\":\"res\",\"id\":5}")]
    [InlineData("{\"type\":\"event\"}")]
    [InlineData("{\"type\":\"event\",\"event\":\"connect.challenge\",\"payload\":\"x\"}")]
    [InlineData("{\"type\":\"event\",\"event\":\"x\"} trailing")]
    [InlineData("{\"type\":\"event\",\"event\":\"x\",}")]
    [InlineData("{\"type\":\"event\",\"event\":\"x\"/*c*/}")]
    [InlineData("{\"type\":\"req\",\"id\":\"1\",\"method\":\"connect\"}")]
    public void Malformed_or_unroutable_frames_are_invalid_with_a_reason(string text)
    {
        DecodedFrame d = GatewayFrame.Decode(Encoding.UTF8.GetBytes(text));
        Assert.Equal(FrameKind.Invalid, d.Kind);
        Assert.False(string.IsNullOrWhiteSpace(d.Problem));
        Assert.DoesNotContain(text.Length > 20 ? text : "\u0000never", d.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_inside_a_string_is_rejected_not_repaired()
    {
        byte[] head = Encoding.UTF8.GetBytes("{\"type\":\"event\",\"event\":\"a");
        byte[] tail = Encoding.UTF8.GetBytes("\"}");
        DecodedFrame d = GatewayFrame.Decode(head.Concat(new byte[] { 0xC3, 0x28 }).Concat(tail).ToArray());
        Assert.Equal(FrameKind.Invalid, d.Kind);
    }

    [Fact]
    public void A_huge_frame_decodes_with_memory_in_proportion_to_its_size()
    {
        // 20 MiB string payload (below the 25 MiB receive cap): decoding must not blow up memory by more than a small factor.
        var sb = new StringBuilder(21 * 1024 * 1024);
        sb.Append("{\"type\":\"event\",\"event\":\"health\",\"payload\":{\"blob\":\"");
        sb.Append('x', 20 * 1024 * 1024);
        sb.Append("\"}}");
        byte[] bytes = Encoding.UTF8.GetBytes(sb.ToString());
        sb.Clear();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        DecodedFrame d = GatewayFrame.Decode(bytes);
        sw.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(FrameKind.Event, d.Kind);
        Assert.True(allocated < 6L * bytes.Length, $"decoding {bytes.Length} bytes allocated {allocated} bytes");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"decoding took {sw.Elapsed}");
    }

    // ---- command parameters through the real dispatcher ----

    /// <summary>What the fake transport saw: each frame serialised exactly as the real connection does.</summary>
    private sealed class Transport
    {
        public ConcurrentQueue<(string Method, JsonObject Params)> Sent { get; } = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        public Task<JsonNode?> Request(string method, JsonObject p, CancellationToken ct)
        {
            var frame = new JsonObject { ["type"] = "req", ["id"] = "1", ["method"] = method, ["params"] = p };
            try
            {
                string text = Json.Serialize(frame);
                GatewayFrame.Decode(text);
            }
            catch (Exception ex)
            {
                Failures.Enqueue($"{method}: {ex.GetType().Name}: {ex.Message}");
                throw;
            }
            frame.Remove("params");
            Sent.Enqueue((method, p));
            return Task.FromResult<JsonNode?>(new JsonObject { ["ok"] = true });
        }
    }

    private sealed class CollectingLog : INodeLog
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public void Write(NodeLogLevel level, string message)
        {
            if (level == NodeLogLevel.Error) { Errors.Enqueue(message); }
        }
    }

    private static readonly string[] RunKeys =
    {
        "command", "rawCommand", "cwd", "env", "timeoutMs", "needsScreenRecording", "agentId", "sessionKey", "runId",
        "suppressNotifyOnExit", "approved", "approvalDecision", "approvalSource", "systemRunPlan", "security", "ask",
    };

    private static Gen<JsonNode?> RunField(string key, string stateDir) => key switch
    {
        // Only harmless executables can run: absolute /bin/true or /bin/echo, or names that resolve nowhere (PATH is an empty directory).
        "command" => Gen.OneOf(
            Gen.Zip(Gen.Elements("/bin/true", "/bin/echo", "zz-no-such-tool", "", "./x", "/nonexistent/zz"), Gen.ListOf(HostileGen.Text, 6))
                .Select(t => (JsonNode?)Json.ToArray(new[] { t.Item1 }.Concat(t.Item2))),
            HostileGen.Value(2)),
        "cwd" => Gen.Elements<JsonNode?>(stateDir, stateDir + "/exec-approvals.json", "/nonexistent", "", "  ", "/", "a\u0000b", 5, null),
        "env" => HostileGen.ObjectWith(new[] { "PATH", "HOME", "LD_PRELOAD", "FOO", "A=B", "", "X\u0000Y", "LANG" },
            _ => Gen.OneOf(HostileGen.Text.Select(s => (JsonNode?)s), HostileGen.Value(1))).Select(o => (JsonNode?)o),
        "timeoutMs" => Gen.Elements<JsonNode?>(1, 0, -1, 2_000, int.MaxValue, long.MaxValue, 1.5, "100", null),
        "security" => Gen.Elements<JsonNode?>("deny", "allowlist", "full", "bogus", 3),
        "ask" => Gen.Elements<JsonNode?>("off", "on-miss", "always", "bogus", false),
        _ => HostileGen.Value(2),
    };

    private static readonly string[] ApprovalKeys = { "file", "baseHash", "includeResolvedDefaults" };

    private static Gen<JsonNode?> ApprovalField(string key) => key switch
    {
        "file" => HostileGen.ObjectWith(new[] { "version", "socket", "defaults", "agents" }, k => k switch
        {
            "version" => Gen.Elements<JsonNode?>(1, 2, 0, "1", null),
            "defaults" => HostileGen.ObjectWith(new[] { "security", "ask", "askFallback", "autoAllowSkills" },
                _ => Gen.Elements<JsonNode?>("deny", "allowlist", "full", "off", "on-miss", "always", true, 1, "x")).Select(o => (JsonNode?)o),
            "agents" => HostileGen.ObjectWith(new[] { "main", "*", "" }, _ => HostileGen.ObjectWith(new[] { "security", "allowlist" }, kk => kk == "allowlist"
                ? Gen.ListOf(HostileGen.ObjectWith(new[] { "pattern", "argPattern", "id" }, _ => Gen.Elements<JsonNode?>("/bin/true", "*", "sh", "**", "", "[", 1)).Select(o => (JsonNode?)o), 3)
                    .Select(l => (JsonNode?)new JsonArray(l.ToArray()))
                : HostileGen.Value(1)).Select(o => (JsonNode?)o)).Select(o => (JsonNode?)o),
            _ => HostileGen.Value(2),
        }).Select(o => (JsonNode?)o),
        "baseHash" => Gen.OneOf(HostileGen.Text.Select(s => (JsonNode?)s), HostileGen.Value(1)),
        _ => HostileGen.Value(1),
    };

    private static readonly HashSet<string> DefinedCodes = new(StringComparer.Ordinal) { "INVALID_REQUEST", "UNAVAILABLE", "SYSTEM_RUN_DENIED" };

    /// <summary>One invocation through the dispatcher: exactly one result, well formed, never the catch-all for an unhandled exception.</summary>
    private static bool InvokeIsDefined(InvokeDispatcher d, Transport t, CollectingLog log, string command, JsonNode? paramsValue, bool asParamsJson)
    {
        while (t.Sent.TryDequeue(out _)) { }
        string id = Guid.NewGuid().ToString("N");
        var request = new JsonObject { ["id"] = id, ["nodeId"] = "node-1", ["command"] = command };
        if (asParamsJson) { request["paramsJSON"] = paramsValue is null ? "null" : SafeSerialize(paramsValue); }
        else { request["params"] = paramsValue; }
        Task run = d.OnRequest(request);
        Assert.True(run.Wait(TimeSpan.FromSeconds(30)), $"{command} did not finish within 30 s for {Describe(request)}");
        var results = t.Sent.Where(s => s.Method == "node.invoke.result").ToList();
        Assert.True(t.Failures.IsEmpty, "sending failed: " + string.Join("; ", t.Failures) + " for " + Describe(request));
        Assert.True(log.Errors.IsEmpty, "unhandled exception: " + string.Join("; ", log.Errors) + " for " + Describe(request));
        var (_, p) = Assert.Single(results);
        Assert.Equal(id, p.Str("id"));
        if (p.Bool("ok") == true)
        {
            Assert.NotNull(Json.ParseOrNull(p.Str("payloadJSON")!));
        }
        else
        {
            Assert.False(p.Bool("ok"));
            string? code = p.Obj("error").Str("code");
            Assert.True(code is not null && DefinedCodes.Contains(code), $"error code {code} for {Describe(request)}");
            Assert.False(string.IsNullOrWhiteSpace(p.Obj("error").Str("message")));
        }
        return true;
    }

    private static string SafeSerialize(JsonNode n)
    {
        try { return n.ToJsonString(); } catch (ArgumentException) { return "{}"; }
    }

    private static string Describe(JsonObject request)
    {
        string s = SafeSerialize(request);
        return SafeText.Escape(s.Length > 600 ? s.Substring(0, 600) + "..." : s);
    }

    private static (InvokeDispatcher, Transport, CollectingLog, TempDir) RealCommands()
    {
        var dir = new TempDir();
        var emptyPath = dir.Combine("empty-path");
        System.IO.Directory.CreateDirectory(emptyPath);
        var resolver = new PathResolver(emptyPath, null, windows: false);
        var commands = NodeHost.CreateCommands(resolver, dir.Path, () => RemoteEditPolicy.Allow);
        var t = new Transport();
        var log = new CollectingLog();
        return (new InvokeDispatcher(commands, "node-1", t.Request, log), t, log, dir);
    }

    [Theory]
    [InlineData("system.run", 300)]
    [InlineData("system.run.prepare", 300)]
    public void Run_and_prepare_params_always_give_a_defined_result(string command, int runs)
    {
        var (d, t, log, dir) = RealCommands();
        using (dir)
        {
            Gen<(JsonObject, bool)> gen = Gen.Zip(HostileGen.ObjectWith(RunKeys, k => RunField(k, dir.Path)), Gen.Elements(true, false));
            Prop.ForAll(gen.ToArbitrary(), c => InvokeIsDefined(d, t, log, command, c.Item1, c.Item2)).Check(Runs(runs));
        }
    }

    [Fact]
    public void Which_params_always_give_a_defined_result()
    {
        var (d, t, log, dir) = RealCommands();
        using (dir)
        {
            Gen<JsonObject> gen = HostileGen.ObjectWith(new[] { "bins" }, _ => Gen.OneOf(
                Gen.ListOf(HostileGen.Text, 20).Select(l => (JsonNode?)Json.ToArray(l)), HostileGen.Value(2)));
            Prop.ForAll(Gen.Zip(gen, Gen.Elements(true, false)).ToArbitrary(), c => InvokeIsDefined(d, t, log, "system.which", c.Item1, c.Item2)).Check(Runs(500));
        }
    }

    [Theory]
    [InlineData("system.execApprovals.get", 200)]
    [InlineData("system.execApprovals.set", 500)]
    public void Exec_approvals_params_always_give_a_defined_result(string command, int runs)
    {
        var (d, t, log, dir) = RealCommands();
        using (dir)
        {
            Gen<JsonObject> gen = HostileGen.ObjectWith(ApprovalKeys, ApprovalField);
            Prop.ForAll(Gen.Zip(gen, Gen.Elements(true, false)).ToArbitrary(), c => InvokeIsDefined(d, t, log, command, c.Item1, c.Item2)).Check(Runs(runs));
        }
    }

    [Fact]
    public void The_invoke_envelope_itself_may_be_anything()
    {
        var (d, t, log, dir) = RealCommands();
        using (dir)
        {
            Gen<JsonObject> gen = HostileGen.ObjectWith(new[] { "id", "nodeId", "command", "params", "paramsJSON", "timeoutMs", "idempotencyKey" }, k => k switch
            {
                "id" => Gen.OneOf(HostileGen.Text.Select(s => (JsonNode?)s), HostileGen.Value(1)),
                "nodeId" => Gen.Elements<JsonNode?>("node-1", "NODE-1", "other", "", null, 1),
                "command" => Gen.Elements<JsonNode?>("system.which", "system.execApprovals.get", "system.run", "nope", "", null, 3),
                "paramsJSON" => Gen.OneOf(HostileGen.Text.Select(s => (JsonNode?)s), Gen.Elements<JsonNode?>("{}", "null", "{\"bins\":[\"a\"]}", "[", "\"x\"")),
                _ => HostileGen.Value(2),
            });
            Prop.ForAll(gen.ToArbitrary(), req =>
            {
                while (t.Sent.TryDequeue(out _)) { }
                Task run = d.OnRequest(req);
                Assert.True(run.Wait(TimeSpan.FromSeconds(30)));
                Assert.True(t.Failures.IsEmpty, string.Join("; ", t.Failures));
                Assert.True(log.Errors.IsEmpty, string.Join("; ", log.Errors));
                int results = t.Sent.Count(s => s.Method == "node.invoke.result");
                string? id = req.Str("id");
                // No id: nothing can be answered. Otherwise exactly one result, echoing the id.
                return string.IsNullOrEmpty(id) ? results == 0 : results == 1 && t.Sent.Single(s => s.Method == "node.invoke.result").Params.Str("id") == id;
            }).Check(Runs(500));
        }
    }
}
