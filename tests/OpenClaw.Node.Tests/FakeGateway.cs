using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace OpenClaw.Node.Tests;

/// <summary>
/// A minimal in-process WebSocket peer on loopback for edge cases the real gateway cannot produce on demand
/// (malformed frames, silence, oversize frames). Happy paths are proven against the real gateway in the integration tests.
/// </summary>
public sealed class FakeGateway : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<WebSocket> _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeGateway()
    {
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public BlockingCollection<string> Received { get; } = new();

    public TaskCompletionSource<(WebSocketCloseStatus?, string?)> ClientClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<WebSocket> Accepted => _accepted.Task;

    private async Task AcceptAsync()
    {
        using TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
        NetworkStream stream = client.GetStream();
        var header = new StringBuilder();
        var buf = new byte[1];
        while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buf, _stop.Token) == 0) { return; }
            header.Append((char)buf[0]);
        }
        string key = "";
        foreach (string line in header.ToString().Split("\r\n"))
        {
            if (line.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase)) { key = line.Substring(18).Trim(); }
        }
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        byte[] response = Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n");
        await stream.WriteAsync(response, _stop.Token);
        WebSocket ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        _accepted.TrySetResult(ws);
        var buffer = new byte[1 << 20];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var sb = new StringBuilder();
                WebSocketReceiveResult r;
                do
                {
                    r = await ws.ReceiveAsync(buffer, _stop.Token);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        ClientClosed.TrySetResult((r.CloseStatus, r.CloseStatusDescription));
                        return;
                    }
                    sb.Append(Encoding.UTF8.GetString(buffer, 0, r.Count));
                } while (!r.EndOfMessage);
                Received.Add(sb.ToString());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or System.IO.IOException)
        {
            ClientClosed.TrySetResult((null, ex.Message));
        }
        finally
        {
            Received.CompleteAdding();
        }
    }

    public async Task SendAsync(string text)
    {
        WebSocket ws = await Accepted;
        await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _stop.Token);
    }

    public async Task SendFrameAsync(JsonObject frame) => await SendAsync(frame.ToJsonString());

    /// <summary>The next frame the client sent, parsed; fails after <paramref name="timeout"/>.</summary>
    public JsonObject Next(TimeSpan timeout)
    {
        if (!Received.TryTake(out string? text, timeout)) { throw new TimeoutException("The client sent nothing in time."); }
        return (JsonObject)JsonNode.Parse(text)!;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        if (_accepted.Task.IsCompletedSuccessfully) { _accepted.Task.Result.Abort(); }
        await Task.CompletedTask;
    }
}
