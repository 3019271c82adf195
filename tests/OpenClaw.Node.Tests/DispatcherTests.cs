using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using Xunit;

namespace OpenClaw.Node.Tests;

public sealed class DispatcherTests
{
    private sealed class Slow : INodeCommand
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Runs;

        public string Name => "test.slow";

        public async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken ct)
        {
            Interlocked.Increment(ref Runs);
            Started.TrySetResult();
            await Release.Task.WaitAsync(ct);
            return CommandResult.Success(new JsonObject { ["done"] = true });
        }
    }

    private sealed class Throws : INodeCommand
    {
        public string Name => "test.throws";

        public Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken ct) => throw new InvalidOperationException("boom");
    }

    private static (InvokeDispatcher, ConcurrentQueue<(string Method, JsonObject Params)>) Create(params INodeCommand[] commands)
    {
        var sent = new ConcurrentQueue<(string, JsonObject)>();
        var d = new InvokeDispatcher(commands, "node-1", (m, p, _) => { sent.Enqueue((m, p)); return Task.FromResult<JsonNode?>(new JsonObject { ["ok"] = true }); }, NullNodeLog.Instance);
        return (d, sent);
    }

    private static JsonObject Request(string id, string command, string? paramsJson = "{}", string nodeId = "node-1")
    {
        var o = new JsonObject { ["id"] = id, ["nodeId"] = nodeId, ["command"] = command };
        if (paramsJson is not null) { o["paramsJSON"] = paramsJson; }
        return o;
    }

    [Fact]
    public async Task Unknown_command_gets_one_unavailable_result()
    {
        var (d, sent) = Create();
        await d.OnRequest(Request("a", "no.such.command"));
        var (method, p) = Assert.Single(sent);
        Assert.Equal("node.invoke.result", method);
        Assert.Equal("a", p.Str("id"));
        Assert.Equal("node-1", p.Str("nodeId"));
        Assert.False(p.Bool("ok"));
        Assert.Equal("UNAVAILABLE", p.Obj("error").Str("code"));
    }

    [Fact]
    public async Task A_quick_command_is_answered_on_the_receiving_thread_and_a_slow_one_is_not()
    {
        var slow = new Slow();
        var (d, sent) = Create(new SystemWhichCommand(CommandTests.Resolver), slow);
        Task which = d.OnRequest(Request("q", "system.which", "{\"bins\":[\"sh\"]}"));
        // Answered before OnRequest returned: no thread-pool hop for system.which.
        var (method, p) = Assert.Single(sent);
        Assert.Equal("node.invoke.result", method);
        Assert.Equal("q", p.Str("id"));
        Assert.True(p.Bool("ok"));
        await which;

        Task run = d.OnRequest(Request("s", "test.slow"));
        await slow.Started.Task;   // runs on the thread pool: OnRequest returned while the command still waits
        Assert.False(run.IsCompleted);
        Assert.Single(sent);
        slow.Release.SetResult();
        await run;
        Assert.Equal(2, sent.Count);
    }

    [Fact]
    public async Task A_quick_command_needs_no_slot_so_slow_runs_holding_every_slot_do_not_delay_it()
    {
        var slow = new Slow();
        var sent = new ConcurrentQueue<(string Method, JsonObject Params)>();
        var d = new InvokeDispatcher(new INodeCommand[] { new SystemWhichCommand(CommandTests.Resolver), slow }, "node-1",
            (m, p, _) => { sent.Enqueue((m, p)); return Task.FromResult<JsonNode?>(new JsonObject { ["ok"] = true }); }, NullNodeLog.Instance, maxConcurrent: 1, maxQueued: 4);
        Task run = d.OnRequest(Request("s1", "test.slow"));
        await slow.Started.Task;                                   // the only slot is taken
        Task queued = d.OnRequest(Request("s2", "test.slow"));     // waits for it
        Task which = d.OnRequest(Request("q", "system.which", "{\"bins\":[\"sh\"]}"));
        Assert.True(which.IsCompleted);                            // answered at once, on this thread
        Assert.Equal("q", Assert.Single(sent).Params.Str("id"));
        Assert.Equal(1, Volatile.Read(ref slow.Runs));
        Assert.False(queued.IsCompleted);
        slow.Release.SetResult();
        await Task.WhenAll(run, queued, which);
        Assert.Equal(2, Volatile.Read(ref slow.Runs));
        Assert.Equal(new[] { "q", "s1", "s2" }, sent.Select(x => x.Params.Str("id")!).OrderBy(x => x, StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1]")]
    [InlineData("42")]
    public async Task Malformed_params_get_invalid_request(string paramsJson)
    {
        var (d, sent) = Create(new SystemWhichCommand(CommandTests.Resolver));
        await d.OnRequest(Request("b", "system.which", paramsJson));
        Assert.Equal("INVALID_REQUEST", Assert.Single(sent).Params.Obj("error").Str("code"));
    }

    [Fact]
    public async Task Params_as_an_object_and_missing_params_are_accepted()
    {
        var (d, sent) = Create(new SystemWhichCommand(CommandTests.Resolver));
        var req = Request("c", "system.which", null);
        req["params"] = new JsonObject { ["bins"] = Json.ToArray(new[] { "sh" }) };
        await d.OnRequest(req);
        JsonObject p = Assert.Single(sent).Params;
        Assert.True(p.Bool("ok"));
        Assert.Contains("\"sh\"", p.Str("payloadJSON"));
    }

    [Fact]
    public async Task A_request_without_id_is_ignored_and_one_for_another_node_is_refused()
    {
        var (d, sent) = Create(new SystemWhichCommand(CommandTests.Resolver));
        await d.OnRequest(new JsonObject { ["command"] = "system.which" });
        await d.OnRequest(null);
        Assert.Empty(sent);
        await d.OnRequest(Request("d", "system.which", "{\"bins\":[]}", nodeId: "someone-else"));
        Assert.Contains("nodeId does not match", Assert.Single(sent).Params.Obj("error").Str("message"));
    }

    [Fact]
    public async Task A_throwing_command_is_answered_not_fatal()
    {
        var (d, sent) = Create(new Throws());
        await d.OnRequest(Request("e", "test.throws"));
        JsonObject p = Assert.Single(sent).Params;
        Assert.False(p.Bool("ok"));
        Assert.Contains("boom", p.Obj("error").Str("message"));
    }

    [Fact]
    public async Task Duplicates_while_running_are_ignored_and_cancel_sends_nothing()
    {
        var slow = new Slow();
        var (d, sent) = Create(slow);
        Task first = d.OnRequest(Request("f", "test.slow"));
        await slow.Started.Task;
        await d.OnRequest(Request("f", "test.slow"));
        Assert.Equal(1, slow.Runs);
        Assert.Equal(1, d.Running);
        d.OnCancel(new JsonObject { ["invokeId"] = "f", ["nodeId"] = "node-1" });
        await first;
        Assert.Empty(sent);
        Assert.Equal(0, d.Running);
    }

    [Fact]
    public async Task Concurrent_invocations_each_get_exactly_one_result()
    {
        var slow = new Slow();
        var (d, sent) = Create(slow);
        Task[] runs = Enumerable.Range(0, 8).Select(i => d.OnRequest(Request("id" + i, "test.slow"))).ToArray();
        await slow.Started.Task;
        slow.Release.SetResult();
        await Task.WhenAll(runs);
        Assert.Equal(8, sent.Count);
        Assert.Equal(8, sent.Select(s => s.Params.Str("id")).Distinct().Count());
        Assert.Equal(8, slow.Runs);
    }
}
