using System;
using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;

namespace OpenClaw.Floor;

/// <summary>
/// <c>openclaw-floor</c>: the bench's floor, the lowest-CPU node responder .NET can build on the same path as the host
/// (ClientWebSocket to the gateway). It does the real handshake (<c>connect.challenge</c>, a signed <c>connect</c> as
/// role <c>node</c> offering only <c>system.which</c>; key in <c>&lt;state-dir&gt;/floor-key.pem</c>, retried every
/// 300 ms while the gateway asks for pairing), then answers every <c>node.invoke.request</c> at once with the canned
/// payload <c>{"bins":{"sh":"/bin/sh"}}</c>: frames are received into one reused buffer, scanned with
/// <see cref="Utf8JsonReader"/> for <c>type</c>, <c>event</c> and <c>payload.id</c>, and the <c>node.invoke.result</c>
/// request is written with one reused <see cref="Utf8JsonWriter"/> and sent without waiting for its <c>res</c> (every
/// other frame, <c>res</c> included, is read and dropped).
/// </summary>
/// <remarks>
/// Usage: <c>openclaw-floor --port N --state-dir DIR --display-name NAME [--host 127.0.0.1]</c>, the gateway token in
/// <c>OPENCLAW_GATEWAY_TOKEN</c>. The sockets' continuations run inline on the socket engine thread
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, set by the process itself before its first socket) unless
/// <c>OPENCLAW_FLOOR_NO_INLINE=1</c>. It prints one line to stderr on connect and one naming the thread that answered
/// the first invocation (the proof that inline completions took effect). Serves until killed; reconnects when the
/// gateway closes. Exit code 2 on bad arguments.
/// </remarks>
public static class Program
{
    private static readonly JsonEncodedText Canned = JsonEncodedText.Encode("{\"bins\":{\"sh\":\"/bin/sh\"}}");

    /// <summary>Entry point; see the type's remarks for arguments and environment.</summary>
    public static async Task<int> Main(string[] args)
    {
        // Read by the socket engine once, at its first use: it must be set before any socket exists.
        bool inline = Environment.GetEnvironmentVariable("OPENCLAW_FLOOR_NO_INLINE") != "1";
        if (inline) { Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1"); }

        string host = "127.0.0.1", stateDir = "", displayName = "openclaw-floor";
        int port = 0;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--host": host = args[i + 1]; break;
                case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--state-dir": stateDir = args[i + 1]; break;
                case "--display-name": displayName = args[i + 1]; break;
                default: Console.Error.WriteLine($"openclaw-floor: unknown argument '{args[i]}'"); return 2;
            }
        }
        if (port <= 0 || stateDir.Length == 0 || args.Length % 2 != 0)
        {
            Console.Error.WriteLine("usage: openclaw-floor --port N --state-dir DIR --display-name NAME [--host 127.0.0.1] (token in OPENCLAW_GATEWAY_TOKEN)");
            return 2;
        }
        string token = Environment.GetEnvironmentVariable("OPENCLAW_GATEWAY_TOKEN") ?? "";
        DeviceIdentity id = LoadOrCreateKey(stateDir);
        var uri = new Uri($"ws://{host}:{port.ToString(CultureInfo.InvariantCulture)}");
        var floor = new Responder(id, inline);
        while (true)
        {
            try
            {
                using var ws = new ClientWebSocket();
                await ws.ConnectAsync(uri, CancellationToken.None);
                if (await HandshakeAsync(ws, id, token, displayName, floor))
                {
                    Console.Error.WriteLine($"openclaw-floor: connected as {id.DeviceId} (inline socket completions: {(inline ? "on" : "off")})");
                    await floor.ServeAsync(ws);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or System.Net.Http.HttpRequestException or JsonException or GatewayException)
            {
                Console.Error.WriteLine($"openclaw-floor: {ex.GetType().Name}: {ex.Message}");
            }
            await Task.Delay(300);
        }
    }

    private static DeviceIdentity LoadOrCreateKey(string stateDir)
    {
        string keyFile = Path.Combine(stateDir, "floor-key.pem");
        if (File.Exists(keyFile)) { return DeviceIdentity.FromPkcs8Pem(File.ReadAllText(keyFile), 0); }
        DeviceIdentity id = DeviceIdentity.Generate();
        SecureFile.WriteAllText(keyFile, id.PrivateKeyPkcs8Pem);   // owner-only, written atomically
        return id;
    }

    /// <summary>challenge → signed connect → hello-ok; false (socket closed) when the gateway refuses, e.g. while pairing is pending.</summary>
    private static async Task<bool> HandshakeAsync(ClientWebSocket ws, DeviceIdentity id, string token, string displayName, Responder floor)
    {
        // The handshake runs once per connection: JsonNode is fine here, not in the serve loop.
        JsonObject? challenge = null;
        while (challenge is null)
        {
            JsonObject frame = (JsonObject)JsonNode.Parse((await floor.ReceiveAsync(ws)).Span)!;
            if (frame.Str("type") == "event" && frame.Str("event") == "connect.challenge") { challenge = frame.Obj("payload"); }
        }
        var request = new ConnectRequest(new ClientInfo("node-host", "node", NodeHost.Version, displayName, HostPlatform.Platform, HostPlatform.DeviceFamily, null),
            "node", Array.Empty<string>(), NodeHost.Caps, new[] { "system.which" }, null, new ConnectCredentials(Token: token.Length > 0 ? token : null), id);
        var connect = new JsonObject { ["type"] = "req", ["id"] = "connect", ["method"] = "connect", ["params"] = Handshake.BuildParams(request, challenge) };
        await ws.SendAsync(Encoding.UTF8.GetBytes(connect.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        while (true)
        {
            JsonObject frame = (JsonObject)JsonNode.Parse((await floor.ReceiveAsync(ws)).Span)!;
            if (frame.Str("type") != "res" || frame.Str("id") != "connect") { continue; }
            if (frame.Bool("ok") == true) { return true; }
            JsonObject? error = frame.Obj("error");
            Console.Error.WriteLine($"openclaw-floor: connect refused: {error.Str("code")} {error.Obj("details").Str("code")} {error.Str("message")}");
            try { await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "retry", CancellationToken.None); }
            catch (WebSocketException) { }
            return false;
        }
    }

    /// <summary>The serve loop's state: one receive buffer, one writer, one output buffer, reused for every frame.</summary>
    private sealed class Responder
    {
        private readonly JsonEncodedText _nodeId;
        private readonly bool _inline;
        private readonly ArrayBufferWriter<byte> _out = new(1024);
        private readonly Utf8JsonWriter _writer;
        private byte[] _rx = new byte[64 * 1024];
        private long _seq;
        private bool _reported;

        public Responder(DeviceIdentity id, bool inline)
        {
            _nodeId = JsonEncodedText.Encode(id.DeviceId);
            _inline = inline;
            _writer = new Utf8JsonWriter(_out, new JsonWriterOptions { SkipValidation = true });
        }

        /// <summary>Receives one whole message into the reused buffer (grown when a frame is larger); throws when the socket closes.</summary>
        public async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(ClientWebSocket ws)
        {
            int len = 0;
            while (true)
            {
                if (len == _rx.Length) { Array.Resize(ref _rx, _rx.Length * 2); }
                ValueWebSocketReceiveResult r = await ws.ReceiveAsync(_rx.AsMemory(len), CancellationToken.None);
                if (r.MessageType == WebSocketMessageType.Close) { throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, $"gateway closed ({ws.CloseStatus} {ws.CloseStatusDescription})"); }
                len += r.Count;
                if (r.EndOfMessage) { return _rx.AsMemory(0, len); }
            }
        }

        public async Task ServeAsync(ClientWebSocket ws)
        {
            while (true)
            {
                ReadOnlyMemory<byte> frame = await ReceiveAsync(ws);
                if (!Answer(frame.Span)) { continue; }
                if (!_reported)
                {
                    _reported = true;
                    Thread t = Thread.CurrentThread;
                    Console.Error.WriteLine($"openclaw-floor: first invoke answered on thread '{t.Name}' (thread-pool thread: {t.IsThreadPoolThread}; inline socket completions requested: {_inline})");
                }
                await ws.SendAsync(_out.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }

        /// <summary>Writes the result into <see cref="_out"/> when <paramref name="frame"/> is a node.invoke.request; false otherwise.</summary>
        private bool Answer(ReadOnlySpan<byte> frame)
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 64 });
            bool isEvent = false, isInvoke = false;
            Span<byte> invokeId = stackalloc byte[256];
            int idLen = -1;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) { return false; }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    if (!reader.ValueTextEquals("event"u8)) { return false; }
                    isEvent = true;
                }
                else if (reader.ValueTextEquals("event"u8))
                {
                    reader.Read();
                    if (!reader.ValueTextEquals("node.invoke.request"u8)) { return false; }
                    isInvoke = true;
                }
                else if (reader.ValueTextEquals("payload"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject) { return false; }
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("id"u8))
                        {
                            reader.Read();
                            if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > invokeId.Length) { return false; }
                            idLen = reader.CopyString(invokeId);
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (!isEvent || !isInvoke || idLen < 0) { return false; }

            _out.ResetWrittenCount();
            _writer.Reset(_out);
            Span<byte> reqId = stackalloc byte[24];
            reqId[0] = (byte)'f';
            Utf8Formatter.TryFormat(++_seq, reqId[1..], out int n);
            _writer.WriteStartObject();
            _writer.WriteString("type"u8, "req"u8);
            _writer.WriteString("id"u8, reqId[..(n + 1)]);
            _writer.WriteString("method"u8, "node.invoke.result"u8);
            _writer.WriteStartObject("params"u8);
            _writer.WriteString("id"u8, invokeId[..idLen]);
            _writer.WriteString("nodeId"u8, _nodeId);
            _writer.WriteBoolean("ok"u8, true);
            _writer.WriteString("payloadJSON"u8, Canned);
            _writer.WriteEndObject();
            _writer.WriteEndObject();
            _writer.Flush();
            return true;
        }
    }
}
