using System.Threading;
using System;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>Connection-level edge cases against an in-process peer.</summary>
public sealed class ConnectionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static async Task<(FakeGateway Fake, GatewayConnection Conn)> OpenAsync()
    {
        var fake = new FakeGateway();
        GatewayConnection conn = await GatewayConnection.OpenAsync(new GatewaySettings { Port = fake.Port }, NullNodeLog.Instance, TimeSpan.FromSeconds(5), default);
        await fake.Accepted;
        return (fake, conn);
    }

    [Fact]
    public async Task Malformed_frames_are_skipped_and_the_connection_keeps_working()
    {
        var (fake, conn) = await OpenAsync();
        await using var _ = fake;
        await using var __ = conn;
        var events = new System.Collections.Concurrent.BlockingCollection<string>();
        conn.OnEvent = (name, _) => events.Add(name);
        await fake.SendAsync("not json at all");
        await fake.SendAsync("[1,2,3]");
        await fake.SendAsync("{\"type\":\"event\"}");
        await fake.SendAsync("{\"type\":\"mystery\"}");
        await fake.SendAsync("{\"type\":\"res\",\"id\":\"nobody-asked\",\"ok\":true}");
        await fake.SendAsync("{\"type\":\"event\",\"event\":\"tick\",\"payload\":{\"ts\":1},\"seq\":1}");
        Assert.True(events.TryTake(out string? name, Wait));
        Assert.Equal("tick", name);
        Task<JsonNode?> call = conn.RequestAsync("node.event", new JsonObject(), TimeSpan.FromSeconds(5), default);
        JsonObject req = fake.Next(Wait);
        Assert.Equal("req", req.Str("type"));
        await fake.SendFrameAsync(new JsonObject { ["type"] = "res", ["id"] = req.Str("id"), ["ok"] = true, ["payload"] = new JsonObject { ["ok"] = true } });
        Assert.True((await call).Bool("ok"));
        Assert.False(conn.Closed.IsCompleted);
    }

    [Fact]
    public async Task Error_responses_become_gateway_exceptions_with_details()
    {
        var (fake, conn) = await OpenAsync();
        await using var _ = fake;
        await using var __ = conn;
        Task<JsonNode?> call = conn.RequestAsync("node.pair.approve", new JsonObject(), TimeSpan.FromSeconds(5), default);
        JsonObject req = fake.Next(Wait);
        await fake.SendAsync("{\"type\":\"res\",\"id\":\"" + req.Str("id") + "\",\"ok\":false,\"error\":{\"code\":\"FORBIDDEN\",\"message\":\"missing scope: operator.admin\",\"details\":{\"code\":\"MISSING_SCOPE\"}}}");
        var ex = await Assert.ThrowsAsync<GatewayException>(() => call);
        Assert.Equal(FailureKind.Forbidden, ex.Kind);
        Assert.Equal("MISSING_SCOPE", ex.DetailsCode);
    }

    [Fact]
    public async Task Silence_beyond_two_tick_intervals_closes_with_4000()
    {
        var (fake, conn) = await OpenAsync();
        await using var _ = fake;
        await using var __ = conn;
        var watch = Stopwatch.StartNew();
        conn.StartWatchdog(tickIntervalMs: 500);
        CloseInfo info = await conn.Closed.WaitAsync(Wait);
        Assert.Equal(4000, info.Code);
        Assert.Equal("tick timeout", info.Reason);
        Assert.True(watch.ElapsedMilliseconds >= 1000, $"closed after {watch.ElapsedMilliseconds} ms, before 2 x tick");
        var (status, reason) = await fake.ClientClosed.Task.WaitAsync(Wait);
        Assert.Equal(4000, (int?)status);
        Assert.Equal("tick timeout", reason);
    }

    [Fact]
    public async Task Frames_keep_the_watchdog_quiet()
    {
        var (fake, conn) = await OpenAsync();
        await using var _ = fake;
        await using var __ = conn;
        conn.StartWatchdog(tickIntervalMs: 1000);
        for (int i = 0; i < 6; i++)
        {
            await fake.SendAsync("{\"type\":\"event\",\"event\":\"tick\",\"payload\":{\"ts\":1}}");
            await Task.Delay(500);   // the peer's own tick interval, not synchronisation
        }
        Assert.False(conn.Closed.IsCompleted);
    }

    [Fact]
    public async Task Oversize_frames_close_the_connection_with_1009()
    {
        var (fake, conn) = await OpenAsync();
        await using var _ = fake;
        await using var __ = conn;
        conn.MaxReceiveBytes = 64 * 1024;
        await fake.SendAsync("{\"type\":\"event\",\"event\":\"x\",\"payload\":\"" + new string('a', 70 * 1024) + "\"}");
        CloseInfo info = await conn.Closed.WaitAsync(Wait);
        Assert.Equal(1009, info.Code);
    }

    [Fact]
    public async Task A_pending_request_fails_when_the_connection_drops()
    {
        var (fake, conn) = await OpenAsync();
        await using var __ = conn;
        Task<JsonNode?> call = conn.RequestAsync("node.event", new JsonObject(), TimeSpan.FromSeconds(30), default);
        fake.Next(Wait);
        await fake.DisposeAsync();
        var ex = await Assert.ThrowsAsync<GatewayException>(() => call.WaitAsync(Wait));
        Assert.Equal(FailureKind.Unreachable, ex.Kind);
    }

    [Fact]
    public async Task An_unanswered_request_times_out_and_a_cancelled_one_is_cancelled_and_the_connection_stays_usable()
    {
        var (fake, conn) = await OpenAsync();
        await using var _ = fake;
        await using var __ = conn;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Task<JsonNode?> unanswered = conn.RequestAsync("node.event", new JsonObject(), TimeSpan.FromMilliseconds(300), default);
        fake.Next(Wait);
        var ex = await Assert.ThrowsAsync<GatewayException>(() => unanswered.WaitAsync(Wait));
        Assert.Equal(FailureKind.Timeout, ex.Kind);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"timed out after {clock.ElapsedMilliseconds} ms, before its limit");

        using var cts = new CancellationTokenSource();
        Task<JsonNode?> cancelled = conn.RequestAsync("node.event", new JsonObject(), TimeSpan.FromSeconds(30), cts.Token);
        fake.Next(Wait);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Wait));

        Task<JsonNode?> answered = conn.RequestAsync("node.event", new JsonObject(), TimeSpan.FromSeconds(5), default);
        JsonObject req = fake.Next(Wait);
        await fake.SendFrameAsync(new JsonObject { ["type"] = "res", ["id"] = req.Str("id"), ["ok"] = true, ["payload"] = new JsonObject { ["n"] = 1 } });
        Assert.Equal(1, (await answered.WaitAsync(Wait))!["n"]!.GetValue<int>());
        Assert.False(conn.Closed.IsCompleted);
    }

    [Fact]
    public async Task An_answer_asked_for_on_the_receiving_thread_resumes_there_and_others_resume_on_the_pool()
    {
        var (fake, conn) = await OpenAsync();
        await using var _ = fake;
        await using var __ = conn;
        async Task<bool> ResumedWhileDispatching(bool inline)
        {
            await conn.RequestAsync("node.invoke.result", new JsonObject(), TimeSpan.FromSeconds(5), default, answerOnReceiveThread: inline);
            bool dispatching = GatewayConnection.IsDispatchingOnThisThread;
            await Task.Yield();   // leave the receiving thread before the test goes on
            return dispatching;
        }
        foreach (bool inline in new[] { true, false, true })
        {
            Task<bool> resumed = ResumedWhileDispatching(inline);
            JsonObject req = fake.Next(Wait);
            Assert.Equal("node.invoke.result", req.Str("method"));
            await fake.SendFrameAsync(new JsonObject { ["type"] = "res", ["id"] = req.Str("id"), ["ok"] = true, ["payload"] = new JsonObject() });
            Assert.Equal(inline, await resumed.WaitAsync(Wait));
        }
    }

    [Fact]
    public async Task Request_ids_are_unique_on_a_connection_and_frames_carry_type_id_method_and_params()
    {
        var (fake, conn) = await OpenAsync();
        await using var _ = fake;
        await using var __ = conn;
        var ids = new System.Collections.Generic.HashSet<string>();
        for (int i = 0; i < 3; i++)
        {
            Task<JsonNode?> call = conn.RequestAsync("node.event", new JsonObject { ["event"] = "e" + i, ["payloadJSON"] = "{\"a\":\"<&>\"}" }, TimeSpan.FromSeconds(5), default);
            JsonObject req = fake.Next(Wait);
            Assert.Equal(new[] { "type", "id", "method", "params" }, System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(req, kv => kv.Key)));
            Assert.Equal("req", req.Str("type"));
            Assert.Equal("node.event", req.Str("method"));
            Assert.Equal("e" + i, req.Obj("params").Str("event"));
            Assert.Equal("{\"a\":\"<&>\"}", req.Obj("params").Str("payloadJSON"));
            Assert.True(ids.Add(req.Str("id")!));
            await fake.SendFrameAsync(new JsonObject { ["type"] = "res", ["id"] = req.Str("id"), ["ok"] = true });
            await call.WaitAsync(Wait);
        }
    }

    [Fact]
    public async Task Unreachable_gateway_is_reported_as_unreachable()
    {
        int port;
        using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { l.Start(); port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port; }
        var ex = await Assert.ThrowsAsync<GatewayException>(() => GatewayConnection.OpenAsync(new GatewaySettings { Port = port }, NullNodeLog.Instance, TimeSpan.FromSeconds(5), default));
        Assert.Equal(FailureKind.Unreachable, ex.Kind);
        Assert.Contains($"ws://127.0.0.1:{port}", ex.Message);
    }
}
