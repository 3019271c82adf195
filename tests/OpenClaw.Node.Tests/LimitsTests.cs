using System;
using System.Collections.Concurrent;
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

/// <summary>Limits (issue 7): invocation floods, gigabytes of output, children that never exit, NUL bytes, bad cwd, huge env.</summary>
[Collection(MemoryMeasuringCollection.Name)]
public sealed class LimitsTests
{
    private sealed class Gate : INodeCommand
    {
        public readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Started;

        public string Name => "test.gate";

        public async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken ct)
        {
            Interlocked.Increment(ref Started);
            await Release.Task.WaitAsync(ct);
            return CommandResult.Success(new JsonObject { ["done"] = true });
        }
    }

    private sealed class AllowGate : IExecGate
    {
        public ExecDecision Evaluate(SystemRunRequest request, string cwd, string? resolvedPath) => ExecDecision.Allow;
    }

    private static JsonObject Request(string id, string command, JsonObject? p = null) =>
        new() { ["id"] = id, ["nodeId"] = "node-1", ["command"] = command, ["params"] = p ?? new JsonObject() };

    private static async Task WaitFor(Func<bool> condition, TimeSpan limit, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > limit) { throw new TimeoutException("Timed out waiting for " + what); }
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_flood_beyond_the_limit_is_refused_at_once_and_the_admitted_ones_all_complete()
    {
        var gate = new Gate();
        var sent = new ConcurrentQueue<JsonObject>();
        var d = new InvokeDispatcher(new[] { gate }, "node-1", (m, p, _) => { sent.Enqueue(p); return Task.FromResult<JsonNode?>(null); },
            NullNodeLog.Instance, maxConcurrent: 2, maxQueued: 3);
        Task[] runs = Enumerable.Range(0, 50).Select(i => d.OnRequest(Request("r" + i, "test.gate"))).ToArray();
        // 45 refusals arrive while the 5 admitted are still held: 2 running, 3 waiting for a slot.
        await WaitFor(() => sent.Count == 45, TimeSpan.FromSeconds(10), "45 busy refusals");
        Assert.Equal(2, Volatile.Read(ref gate.Started));
        Assert.Equal(5, d.Running);
        Assert.Equal(45, d.Refused);
        foreach (JsonObject p in sent)
        {
            Assert.False(p.Bool("ok"));
            Assert.Equal("UNAVAILABLE", p.Obj("error").Str("code"));
            Assert.Contains("node busy", p.Obj("error").Str("message"));
        }
        gate.Release.SetResult();
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(10));
        await WaitFor(() => sent.Count == 50, TimeSpan.FromSeconds(10), "all results");
        Assert.Equal(50, sent.Select(p => p.Str("id")).Distinct().Count());
        Assert.Equal(5, sent.Count(p => p.Bool("ok") == true));
        Assert.Equal(5, gate.Started);
        Assert.Equal(0, d.Running);
    }

    [Fact]
    public async Task Queued_invocations_can_be_cancelled_and_free_their_place()
    {
        var gate = new Gate();
        var sent = new ConcurrentQueue<JsonObject>();
        var d = new InvokeDispatcher(new[] { gate }, "node-1", (m, p, _) => { sent.Enqueue(p); return Task.FromResult<JsonNode?>(null); },
            NullNodeLog.Instance, maxConcurrent: 1, maxQueued: 1);
        Task first = d.OnRequest(Request("a", "test.gate"));
        Task queued = d.OnRequest(Request("b", "test.gate"));
        await WaitFor(() => Volatile.Read(ref gate.Started) == 1, TimeSpan.FromSeconds(5), "first to start");
        d.OnCancel(new JsonObject { ["invokeId"] = "b" });
        await queued.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(sent);   // cancelled while queued: no result
        Task third = d.OnRequest(Request("c", "test.gate"));   // its place is free again
        gate.Release.SetResult();
        await Task.WhenAll(first, third).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(new[] { "a", "c" }, sent.Select(p => p.Str("id")).OrderBy(x => x).ToArray());
        Assert.All(sent, p => Assert.True(p.Bool("ok")));
    }

    [Fact]
    public async Task The_default_limit_holds_memory_to_the_admitted_requests()
    {
        var gate = new Gate();
        int results = 0;
        var d = new InvokeDispatcher(new[] { gate }, "node-1", (m, p, _) => { Interlocked.Increment(ref results); return Task.FromResult<JsonNode?>(null); }, NullNodeLog.Instance);
        var tasks = new Task[10_000];
        for (int i = 0; i < tasks.Length; i++) { tasks[i] = d.OnRequest(Request("f" + i, "test.gate")); }
        await WaitFor(() => Volatile.Read(ref results) == 10_000 - InvokeDispatcher.DefaultMaxConcurrent - InvokeDispatcher.DefaultMaxQueued,
            TimeSpan.FromSeconds(30), "refusals");
        Assert.Equal(InvokeDispatcher.DefaultMaxConcurrent + InvokeDispatcher.DefaultMaxQueued, d.Running);
        Assert.Equal(InvokeDispatcher.DefaultMaxConcurrent, Volatile.Read(ref gate.Started));
        gate.Release.SetResult();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(10_000, results);
        Assert.Equal(0, d.Running);
    }

    private static async Task<(CommandResult Result, JsonObject Payload)> Run(JsonObject p)
    {
        var cmd = new SystemRunCommand(CommandTests.Resolver, new AllowGate(), EnvPolicy.Default);
        var rec = new CommandTests.Recorder();
        CommandResult r = await cmd.InvokeAsync(rec.Context(p), CancellationToken.None);
        return (r, r.Ok ? (JsonObject)JsonNode.Parse(r.PayloadJson!)! : new JsonObject());
    }

    [Fact]
    public async Task Two_gibibytes_of_output_are_drained_and_discarded_not_buffered()
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        var (r, payload) = await Run(new JsonObject { ["command"] = Json.ToArray(new[] { "/bin/sh", "-c", "head -c 2147483648 /dev/zero; echo done >&2" }), ["timeoutMs"] = 120_000 });
        sw.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(r.Ok, r.ErrorMessage);
        Assert.Equal(0, (int)payload["exitCode"]!);
        Assert.False(payload.Bool("timedOut"));
        Assert.EndsWith("... (truncated)", payload.Str("stdout") + payload.Str("stderr"));
        Assert.True(payload.Str("stdout")!.Length <= SystemRunCommand.OutputCapBytes + 20);
        // Whole-process allocation (parallel tests included) stays far below the 2 GiB the child wrote.
        Assert.True(allocated < 256L * 1024 * 1024, $"allocated {allocated / (1024 * 1024)} MiB while draining 2 GiB in {sw.Elapsed}");
    }

    [Fact]
    public async Task A_child_that_never_exits_and_a_detached_grandchild_holding_the_pipe_end_at_the_timeout()
    {
        // The grandchild leaves the process tree (setsid) but keeps stdout open; it prints its pid so the test can clean up.
        var sw = Stopwatch.StartNew();
        var (r, payload) = await Run(new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "/bin/sh", "-c", "setsid sleep 600 & echo $!; trap '' TERM; while :; do sleep 1; done" }),
            ["timeoutMs"] = 1500,
        });
        sw.Stop();
        try
        {
            Assert.True(r.Ok, r.ErrorMessage);
            Assert.True(payload.Bool("timedOut"));
            Assert.Equal(ProcessRunner.TimeoutExitCode, (int)payload["exitCode"]!);
            Assert.False(payload.Bool("success"));
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
        }
        finally
        {
            if (int.TryParse(payload.Str("stdout")?.Split('\n')[0].Trim(), out int pid))
            {
                try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            }
        }
    }

    [Theory]
    [InlineData("{\"command\":[\"/bin/echo\",\"a\\u0000b\"]}", "NUL")]
    [InlineData("{\"command\":[\"/bin/echo\\u0000\"]}", "NUL")]
    [InlineData("{\"command\":[\"/bin/echo\"],\"env\":{\"FOO\":\"a\\u0000b\"}}", "NUL")]
    [InlineData("{\"command\":[\"/bin/echo\"],\"env\":{\"F\\u0000OO\":\"x\"}}", "")]
    [InlineData("{\"command\":[\"/bin/echo\"],\"cwd\":\"/tmp\\u0000/x\"}", "NUL")]
    public async Task Nul_bytes_in_argv_env_or_cwd_are_invalid_requests(string paramsJson, string mentions)
    {
        var (r, _) = await Run((JsonObject)JsonNode.Parse(paramsJson)!);
        Assert.False(r.Ok);
        Assert.Equal("INVALID_REQUEST", r.ErrorCode);
        Assert.Contains(mentions, r.ErrorMessage);
    }

    [Fact]
    public async Task A_cwd_that_is_a_file_is_reported_as_such()
    {
        using var dir = new TempDir();
        string file = dir.Combine("not-a-dir");
        File.WriteAllText(file, "x");
        var (r, payload) = await Run(new JsonObject { ["command"] = Json.ToArray(new[] { "/bin/echo", "hi" }), ["cwd"] = file });
        Assert.True(r.Ok, r.ErrorMessage);
        Assert.False(payload.Bool("success"));
        Assert.Null(payload["exitCode"]);
        Assert.Contains("is a file, not a directory", payload.Str("error"));
        Assert.Contains("ENOTDIR", payload.Str("error"));
    }

    [Fact]
    public async Task Megabyte_env_values_fail_the_launch_cleanly()
    {
        var (r, payload) = await Run(new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "/bin/echo", "hi" }),
            ["env"] = new JsonObject { ["BIG_VALUE"] = new string('x', 4 * 1024 * 1024) },
        });
        Assert.True(r.Ok, r.ErrorMessage);
        Assert.False(payload.Bool("success"));
        Assert.Null(payload["exitCode"]);
        Assert.Contains("E2BIG", payload.Str("error"));
    }

    [Fact]
    public async Task A_100_KiB_env_value_reaches_the_child_intact()
    {
        string value = new string('v', 100 * 1024);
        var (r, payload) = await Run(new JsonObject
        {
            ["command"] = Json.ToArray(new[] { "/usr/bin/env" }),
            ["env"] = new JsonObject { ["BIG_VALUE"] = value },
        });
        Assert.True(r.Ok, r.ErrorMessage);
        Assert.Equal(0, (int)payload["exitCode"]!);
        Assert.Contains("BIG_VALUE=" + value + "\n", payload.Str("stdout"));
    }
}

/// <summary>
/// Tests that measure the whole process's allocations run alone, after the parallel ones: other test classes'
/// allocations would otherwise count against their bounds.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuringCollection
{
    public const string Name = "memory-measuring";
}
