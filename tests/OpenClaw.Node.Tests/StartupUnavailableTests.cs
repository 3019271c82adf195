using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>
/// A loopback WebSocket peer that accepts any number of connections and answers each <c>connect</c> with a scripted
/// response: the exact frames of the real gateway's start-up refusal (spec 2.5) that the real gateway only produces
/// while its start-up plugins load. The real-gateway version of this case is StartupSidecarsTests.
/// </summary>
internal sealed class ScriptedGateway : IAsyncDisposable
{
    /// <summary>One connection attempt as the gateway saw it.</summary>
    internal sealed record Attempt(TimeSpan At, JsonObject Connect, WebSocketCloseStatus? ClientCloseStatus, string? ClientCloseReason);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<int, JsonObject, (JsonObject Response, bool CloseWith1013)> _answer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Attempt> _attempts = new();
    private readonly List<WebSocket> _open = new();

    private readonly Func<JsonObject, Func<JsonObject, Task>, Task>? _onFrame;

    /// <param name="answer">Given the 0-based attempt number and the <c>connect</c> request, the response frame and whether
    /// to close the socket with 1013 "gateway starting" right after it (as the gateway does for startup-sidecars).</param>
    /// <param name="onFrame">Optional: called with every frame the node sends after an accepted connect, and a function
    /// that sends a frame back on that connection (answers to requests, events).</param>
    public ScriptedGateway(Func<int, JsonObject, (JsonObject Response, bool CloseWith1013)> answer, Func<JsonObject, Func<JsonObject, Task>, Task>? onFrame = null)
    {
        _answer = answer;
        _onFrame = onFrame;
        _listener.Start();
        _ = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<Attempt> Attempts
    {
        get { lock (_attempts) { return _attempts.ToList(); } }
    }

    private async Task AcceptLoopAsync()
    {
        int n = 0;
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            int index = n++;
            _ = Task.Run(() => ServeAsync(client, index));
        }
    }

    private async Task ServeAsync(TcpClient client, int index)
    {
        using TcpClient owned = client;
        try
        {
            NetworkStream stream = client.GetStream();
            var header = new StringBuilder();
            var one = new byte[1];
            while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await stream.ReadAsync(one, _stop.Token) == 0) { return; }
                header.Append((char)one[0]);
            }
            string key = header.ToString().Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase)).Substring(18).Trim();
            string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n"), _stop.Token);
            using WebSocket ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            lock (_open) { _open.Add(ws); }
            await Send(ws, new JsonObject
            {
                ["type"] = "event",
                ["event"] = "connect.challenge",
                ["payload"] = new JsonObject { ["nonce"] = Guid.NewGuid().ToString("N"), ["ts"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
            });
            (JsonObject? connect, _, _) = await Receive(ws);
            if (connect is null) { return; }
            TimeSpan at = _clock.Elapsed;
            (JsonObject response, bool close1013) = _answer(index, connect);
            response["id"] = connect["id"]!.DeepClone();
            await Send(ws, response);
            if (close1013)
            {
                // The gateway queues its own close right after the response; whichever side closes first, the client's
                // close (if any) is what we record.
                (_, WebSocketCloseStatus? status, string? reason) = await Receive(ws);
                lock (_attempts) { _attempts.Add(new Attempt(at, connect, status, reason)); }
                try { await ws.CloseOutputAsync((WebSocketCloseStatus)1013, "gateway starting", _stop.Token); } catch (Exception) { }
                return;
            }
            lock (_attempts) { _attempts.Add(new Attempt(at, connect, null, null)); }
            while (true)
            {
                (JsonObject? frame, _, _) = await Receive(ws);
                if (frame is null) { return; }
                if (_onFrame is not null) { await _onFrame(frame, f => Send(ws, f)); }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away.
        }
    }

    private async Task Send(WebSocket ws, JsonObject frame) =>
        await ws.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token);

    /// <summary>The next text frame, or null with the client's close status when it closed (or the socket broke).</summary>
    private async Task<(JsonObject? Frame, WebSocketCloseStatus? Status, string? Reason)> Receive(WebSocket ws)
    {
        var buffer = new byte[1 << 16];
        var sb = new StringBuilder();
        try
        {
            WebSocketReceiveResult r;
            do
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                r = await ws.ReceiveAsync(buffer, timeout.Token);
                if (r.MessageType == WebSocketMessageType.Close) { return (null, r.CloseStatus, r.CloseStatusDescription); }
                sb.Append(Encoding.UTF8.GetString(buffer, 0, r.Count));
            } while (!r.EndOfMessage);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            return (null, null, ex.GetType().Name);
        }
        return ((JsonObject)JsonNode.Parse(sb.ToString())!, null, null);
    }

    /// <summary>The real gateway's start-up refusal, byte for byte as rejectGatewayStartupConnect sends it (2026.9.6).</summary>
    public static JsonObject StartupRefusal(long? retryAfterMs) => new()
    {
        ["type"] = "res",
        ["ok"] = false,
        ["error"] = retryAfterMs is long ms
            ? new JsonObject
            {
                ["code"] = "UNAVAILABLE",
                ["message"] = "gateway starting; retry shortly",
                ["retryable"] = true,
                ["retryAfterMs"] = ms,
                ["details"] = new JsonObject { ["reason"] = "startup-sidecars" },
            }
            : new JsonObject
            {
                ["code"] = "UNAVAILABLE",
                ["message"] = "gateway starting; retry shortly",
                ["retryable"] = true,
                ["details"] = new JsonObject { ["reason"] = "startup-sidecars" },
            },
    };

    public static JsonObject HelloOk() => new()
    {
        ["type"] = "res",
        ["ok"] = true,
        ["payload"] = new JsonObject
        {
            ["type"] = "hello-ok",
            ["protocol"] = 4,
            ["server"] = new JsonObject { ["version"] = "2026.9.6" },
            ["auth"] = new JsonObject { ["method"] = "token", ["role"] = "node", ["scopes"] = new JsonArray() },
            ["policy"] = new JsonObject { ["tickIntervalMs"] = 30000, ["maxPayload"] = 26214400 },
        },
    };

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_open) { foreach (WebSocket ws in _open) { ws.Abort(); } }
        await Task.CompletedTask;
    }
}

/// <summary>The node host's handling of the gateway's start-up refusal (spec 2.5: UNAVAILABLE startup-sidecars, close 1013).</summary>
public sealed class StartupUnavailableTests
{
    private static async Task<(int Exit, List<NodeHostStatus> Seen, IReadOnlyList<ScriptedGateway.Attempt> Attempts)> RunAgainst(int refusals, long? retryAfterMs, string stateDir)
    {
        await using var gw = new ScriptedGateway((i, _) => i < refusals ? (ScriptedGateway.StartupRefusal(retryAfterMs), true) : (ScriptedGateway.HelloOk(), false));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var progress = new StatusCollector(cts, seen => seen[^1].State == NodeConnectionState.Connected);
        var host = new NodeHost(new NodeHostOptions
        {
            StateDirectory = stateDir,
            Port = gw.Port,
            GatewayToken = "t",
            HostStatsInterval = TimeSpan.Zero,
            // A back-off that would be visible: start-up retries must follow retryAfterMs, not this.
            ReconnectInitialDelay = TimeSpan.FromSeconds(5),
            ReconnectMaxDelay = TimeSpan.FromSeconds(30),
        });
        int exit = await host.RunAsync(progress, cts.Token);
        List<NodeHostStatus> seen;
        lock (progress.Seen) { seen = progress.Seen.ToList(); }
        Assert.True(seen.Any(s => s.State == NodeConnectionState.Connected), "the host never connected within 60 s: " + string.Join(" | ", seen.Select(s => s.Message)));
        return (exit, seen, gw.Attempts);
    }

    [Fact]
    public async Task Startup_sidecars_refusal_is_retried_after_retryAfterMs_with_close_1013_and_then_connects()
    {
        using var dir = new TempDir();
        var (exit, seen, attempts) = await RunAgainst(refusals: 4, retryAfterMs: 500, dir.Path);

        Assert.Equal(NodeHostExitCodes.Stopped, exit);
        Assert.Equal(5, attempts.Count);   // 4 refused + 1 accepted: no extra attempts, no tight loop
        // Each refused connection was closed by the node with 1013 "gateway starting", as the reference client does.
        foreach (ScriptedGateway.Attempt a in attempts.Take(4))
        {
            Assert.Equal((WebSocketCloseStatus)1013, a.ClientCloseStatus);
            Assert.Equal("gateway starting", a.ClientCloseReason);
        }
        // Retried after about retryAfterMs (500 ms), not after the 5 s reconnect back-off.
        for (int i = 1; i < attempts.Count; i++)
        {
            Assert.InRange((attempts[i].At - attempts[i - 1].At).TotalMilliseconds, 450, 4000);
        }
        var retries = seen.Where(s => s.State == NodeConnectionState.Reconnecting).ToList();
        Assert.Equal(4, retries.Count);
        Assert.All(retries, r =>
        {
            Assert.Equal(TimeSpan.FromMilliseconds(500), r.RetryIn);
            Assert.Contains("startup-sidecars", r.Message);
        });
        // Same device identity on every attempt and on the accepted one.
        string deviceId = seen.First(s => s.State == NodeConnectionState.Connected).DeviceId;
        Assert.All(attempts, a => Assert.Equal(deviceId, a.Connect["params"]!["device"]!["id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData(0L, 100)]        // a zero delay would spin: raised to 100 ms
    [InlineData(3_600_000L, 2000)] // an hour would stall the node: capped at 2 s
    [InlineData(null, 500)]      // absent: 500 ms, as the reference client
    public async Task Startup_retry_delay_is_clamped_like_the_reference_client(long? retryAfterMs, int expectedMs)
    {
        using var dir = new TempDir();
        var (_, seen, attempts) = await RunAgainst(refusals: 2, retryAfterMs, dir.Path);
        Assert.Equal(3, attempts.Count);
        Assert.All(seen.Where(s => s.State == NodeConnectionState.Reconnecting), r => Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), r.RetryIn));
        Assert.InRange((attempts[1].At - attempts[0].At).TotalMilliseconds, expectedMs * 0.9, expectedMs + 3000);
    }

    [Fact]
    public void Only_the_retryable_startup_sidecars_refusal_is_treated_as_start_up()
    {
        GatewayException Parse(string json) => GatewayException.FromError((JsonObject)JsonNode.Parse(json)!, "connect");
        Assert.True(NodeHost.IsStartupUnavailable(Parse("""{"code":"UNAVAILABLE","message":"gateway starting; retry shortly","retryable":true,"retryAfterMs":500,"details":{"reason":"startup-sidecars"}}""")));
        Assert.False(NodeHost.IsStartupUnavailable(Parse("""{"code":"UNAVAILABLE","message":"x","retryable":false,"details":{"reason":"startup-sidecars"}}""")));
        Assert.False(NodeHost.IsStartupUnavailable(Parse("""{"code":"UNAVAILABLE","message":"x","retryable":true,"details":{"code":"PAIRING_CHANGED"}}""")));
        Assert.False(NodeHost.IsStartupUnavailable(Parse("""{"code":"INVALID_REQUEST","message":"x","retryable":true,"details":{"reason":"startup-sidecars"}}""")));
        Assert.Equal(TimeSpan.FromMilliseconds(100), NodeHost.StartupRetryDelay(-5));
        Assert.Equal(TimeSpan.FromMilliseconds(1234), NodeHost.StartupRetryDelay(1234));
    }
}

/// <summary>Classification of write failures caused by the file system (the real ENOSPC/EROFS cases run on a tmpfs in SecureFileTmpfsTests).</summary>
public sealed class StorageProblemTests
{
    [Theory]
    [InlineData(28, "No space left on device : '/x'", "the disk is full (ENOSPC)")]
    [InlineData(122, "Disk quota exceeded", "the disk is full (ENOSPC)")]
    [InlineData(unchecked((int)0x80070070), "There is not enough space on the disk.", "the disk is full (ENOSPC)")]
    [InlineData(30, "Read-only file system : '/x'", "the file system is read-only (EROFS)")]
    [InlineData(unchecked((int)0x80070013), "The media is write protected.", "the file system is read-only (EROFS)")]
    [InlineData(13, "Permission denied", null)]
    [InlineData(unchecked((int)0x80070020), "The process cannot access the file because it is being used by another process.", null)]
    public void Full_and_read_only_file_systems_are_recognised_and_nothing_else(int hresult, string message, string? expected)
    {
        Assert.Equal(expected, OpenClaw.Node.State.SecureFile.StorageProblem(new IOException(message, hresult)));
        Assert.Equal(expected, OpenClaw.Node.State.SecureFile.StorageProblem(new InvalidOperationException("wrapped", new IOException(message, hresult))));
    }
}
