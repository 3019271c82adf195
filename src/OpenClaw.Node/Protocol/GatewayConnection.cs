using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Protocol;

/// <summary>How a connection ended.</summary>
internal sealed record CloseInfo(int? Code, string Reason, Exception? Error)
{
    public override string ToString() => Code is int c ? $"{c} {Reason}".TrimEnd() : (Error?.Message ?? Reason);
}

/// <summary>
/// One WebSocket connection to the gateway (spec §2-3): text frames of one JSON object each, request/response correlation
/// by id, events delivered to a handler, the tick watchdog, a receive limit (25 MiB after hello), and orderly close.
/// Malformed frames are logged and skipped, never fatal.
/// </summary>
internal sealed class GatewayConnection : IAsyncDisposable
{
    public const int MaxPayloadBytes = 25 * 1024 * 1024;
    private static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    private readonly ClientWebSocket _ws;
    private readonly INodeLog _log;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, PendingRequest> _pending = new(StringComparer.Ordinal);
    // Request ids are "<counter>:<random per connection>": unique on the connection without a Guid per request.
    private readonly string _idSuffix = ":" + Guid.NewGuid().ToString("N").Substring(0, 12);
    private Timer? _sweeper;
    private int _sweeperArmed;
    private readonly TaskCompletionSource<JsonObject> _challenge = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<CloseInfo> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _life = new();
    private long _requestCounter;
    private long _lastReceiveTicks = Environment.TickCount;
    private Timer? _watchdog;
    private int _closing;
#if NET
    private bool _threadLogged;
#endif
    [ThreadStatic] private static bool t_dispatching;

    /// <summary>True while this thread is handling a received frame (an event handler, or a continuation that asked to
    /// run on the receiving thread); code here must not block: the next frame waits for it.</summary>
    internal static bool IsDispatchingOnThisThread => t_dispatching;
    private CloseInfo? _localClose;

    private GatewayConnection(ClientWebSocket ws, INodeLog log)
    {
        _ws = ws;
        _log = log;
    }

    /// <summary>Called for every event frame except <c>connect.challenge</c>, on the receive thread; must not block.</summary>
    public Action<string, JsonObject>? OnEvent { get; set; }

    /// <summary>Completes when the connection has ended, with the close code and reason.</summary>
    public Task<CloseInfo> Closed => _closed.Task;

    /// <summary>Largest frame accepted from the gateway; larger frames close the connection with 1009.</summary>
    public int MaxReceiveBytes { get; set; } = MaxPayloadBytes;

    /// <summary>Opens the WebSocket (no frame sent yet) and starts receiving.</summary>
    /// <exception cref="GatewayException">Unreachable, TLS failure or pin mismatch.</exception>
    public static async Task<GatewayConnection> OpenAsync(GatewaySettings settings, INodeLog log, TimeSpan timeout, CancellationToken ct)
    {
        Uri uri = GatewayEndpoint.ToUri(settings);
        var ws = new ClientWebSocket();
        string? pin = settings.TlsFingerprint;
        string? presented = null;
        SslPolicyErrors policyErrors = SslPolicyErrors.None;
        if (settings.Tls)
        {
            RemoteCertificateValidationCallback callback = (_, cert, _, errors) =>
            {
                policyErrors = errors;
                if (cert is null) { return false; }
                presented = TlsFingerprint.Of(cert.GetRawCertData());
                return pin is null ? errors == SslPolicyErrors.None : string.Equals(presented, pin, StringComparison.Ordinal);
            };
            SetCertificateCallback(ws.Options, callback);
        }
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await ws.ConnectAsync(uri, timeoutCts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or System.Net.Http.HttpRequestException)
        {
            ws.Dispose();
            ct.ThrowIfCancellationRequested();
            if (settings.Tls && pin is not null && presented is not null && presented != pin)
            {
                throw new GatewayException(FailureKind.TlsFailure, "TlsFingerprintMismatch",
                    $"The gateway's TLS certificate does not match the pinned fingerprint: expected {TlsFingerprint.ToColonPairs(pin)}, presented {TlsFingerprint.ToColonPairs(presented)}. " +
                    "Nothing was sent. If the gateway's certificate was rotated on purpose, pin the new fingerprint.", ex);
            }
            if (settings.Tls && pin is null && policyErrors != SslPolicyErrors.None)
            {
                throw new GatewayException(FailureKind.TlsFailure, "TlsValidationFailed",
                    $"The gateway's TLS certificate failed validation ({policyErrors}){(presented is null ? string.Empty : "; its SHA-256 fingerprint is " + TlsFingerprint.ToColonPairs(presented))}. " +
                    "Install a trusted certificate on the gateway or pin this fingerprint with --tls-fingerprint / -TlsFingerprint after checking it.", ex);
            }
            string why = ex is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : Flatten(ex);
            throw new GatewayException(FailureKind.Unreachable, "GatewayUnreachable", $"Could not connect to the gateway at {uri}: {why}.", ex);
        }
        var conn = new GatewayConnection(ws, log);
        _ = Task.Run(conn.ReceiveLoopAsync);
        return conn;
    }

    private static void SetCertificateCallback(ClientWebSocketOptions options, RemoteCertificateValidationCallback callback)
    {
#if NET
        options.RemoteCertificateValidationCallback = callback;
#else
        var prop = typeof(ClientWebSocketOptions).GetProperty("RemoteCertificateValidationCallback");
        if (prop is null)
        {
            throw new GatewayException(FailureKind.Configuration, "TlsNotSupportedOnThisRuntime",
                "TLS certificate checks for the gateway need PowerShell 7 (or the openclaw-node executable) on this system.");
        }
        prop.SetValue(options, callback);
#endif
    }

    private static string Flatten(Exception ex)
    {
        var sb = new StringBuilder(ex.Message.TrimEnd('.'));
        for (Exception? inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            sb.Append(": ").Append(inner.Message.TrimEnd('.'));
        }
        return sb.ToString();
    }

    /// <summary>Waits for the pre-auth <c>connect.challenge</c> event and returns its payload (<c>{nonce, ts}</c>).</summary>
    public async Task<JsonObject> WaitForChallengeAsync(TimeSpan timeout, CancellationToken ct)
    {
        Task winner = await Task.WhenAny(_challenge.Task, _closed.Task, Task.Delay(timeout, ct)).ConfigureAwait(false);
        if (winner == _challenge.Task) { return await _challenge.Task.ConfigureAwait(false); }
        ct.ThrowIfCancellationRequested();
        if (winner == _closed.Task)
        {
            CloseInfo info = await _closed.Task.ConfigureAwait(false);
            throw new GatewayException(FailureKind.Unreachable, "ClosedBeforeChallenge", $"The gateway closed the connection before the connect challenge ({info}).") { CloseCode = info.Code };
        }
        await CloseAsync(1008, "connect challenge timeout").ConfigureAwait(false);
        throw new GatewayException(FailureKind.Timeout, "ChallengeTimeout", $"The gateway sent no connect challenge within {timeout.TotalSeconds:0} s.");
    }

    /// <summary>Sends a request and waits for its response.</summary>
    /// <param name="method">Gateway method, e.g. <c>node.invoke.result</c>.</param>
    /// <param name="parameters">The request's <c>params</c> (left out when null).</param>
    /// <param name="timeout">How long to wait for the answer (default 30 s). Deadlines are checked once a second, so a
    /// timeout is reported up to one second late; no timer is started per request.</param>
    /// <param name="ct">Cancels the wait (the request may still reach the gateway).</param>
    /// <param name="answerOnReceiveThread">When true, the caller's continuation after this await runs on the thread that
    /// received the answer, with no thread-pool hop: only for callers whose code after the await is short and never
    /// blocks (the dispatcher's result delivery). Everyone else resumes on the thread pool.</param>
    /// <returns>The response <c>payload</c> (may be null).</returns>
    /// <exception cref="GatewayException">An <c>ok:false</c> response (the gateway's error), the connection closed before
    /// the answer (<c>ConnectionClosed</c>), or no answer in time (<c>RequestTimeout</c>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public async Task<JsonNode?> RequestAsync(string method, JsonNode? parameters, TimeSpan? timeout, CancellationToken ct, bool answerOnReceiveThread = false)
    {
        string id = Interlocked.Increment(ref _requestCounter).ToString(System.Globalization.CultureInfo.InvariantCulture) + _idSuffix;
        TimeSpan limit = timeout ?? DefaultRequestTimeout;
        var pending = new PendingRequest(method, limit, answerOnReceiveThread);
        _pending[id] = pending;
        ArmSweeper();
        try
        {
            await SendAsync(RequestFrame(id, method, parameters), ct).ConfigureAwait(false);
            if (_closed.Task.IsCompleted)
            {
                // Closed while sending: the receive loop may already have failed what was pending before this was added.
                pending.TrySetException(ClosedBeforeAnswer(method, await _closed.Task.ConfigureAwait(false)));
            }
            JsonObject res;
            using (ct.CanBeCanceled ? ct.Register(static s => ((PendingRequest)s!).TrySetCanceled(), pending) : default)
            {
                res = await pending.Task.ConfigureAwait(false);
            }
            if (res.Bool("ok") == true) { return res["payload"]; }
            throw GatewayException.FromError(res.Obj("error"), method);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>A request frame <c>{type:"req", id, method, params?}</c> as UTF-8, written straight from the nodes.</summary>
    private static byte[] RequestFrame(string id, string method, JsonNode? parameters)
    {
        var buffer = new MemoryStream(256);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = Json.Compact.Encoder, SkipValidation = true }))
        {
            w.WriteStartObject();
            w.WriteString("type", "req");
            w.WriteString("id", id);
            w.WriteString("method", method);
            if (parameters is not null)
            {
                w.WritePropertyName("params");
                parameters.WriteTo(w, Json.Compact);
            }
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Starts the once-a-second deadline check if it is not running (it stops itself when nothing is pending).</summary>
    private void ArmSweeper()
    {
        if (Interlocked.Exchange(ref _sweeperArmed, 1) == 1) { return; }
        Timer? t = _sweeper;
        if (t is null)
        {
            t = new Timer(static s => ((GatewayConnection)s!).Sweep(), this, Timeout.Infinite, Timeout.Infinite);
            if (Interlocked.CompareExchange(ref _sweeper, t, null) is Timer existing) { t.Dispose(); t = existing; }
        }
        try { t.Change(1000, 1000); } catch (ObjectDisposedException) { }
    }

    private void Sweep()
    {
        long now = NowMs();
        foreach (var kv in _pending)
        {
            if (kv.Value.ExpiredAt(now))
            {
                kv.Value.TrySetException(new GatewayException(FailureKind.Timeout, "RequestTimeout",
                    $"{kv.Value.Method}: no answer from the gateway within {kv.Value.Limit.TotalSeconds:0.#} s."));
            }
        }
        if (_pending.IsEmpty)
        {
            // Disarm, then look again: a request added meanwhile re-arms (its ArmSweeper saw the flag still set).
            try { _sweeper?.Change(Timeout.Infinite, Timeout.Infinite); } catch (ObjectDisposedException) { }
            Interlocked.Exchange(ref _sweeperArmed, 0);
            if (!_pending.IsEmpty) { ArmSweeper(); }
        }
    }

    /// <summary>Sends one text frame (serialised with other senders).</summary>
    public Task SendAsync(string text, CancellationToken ct) => SendAsync(Encoding.UTF8.GetBytes(text), ct);

    private async Task SendAsync(byte[] bytes, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_ws.State != WebSocketState.Open)
            {
                throw new GatewayException(FailureKind.Unreachable, "ConnectionClosed", "The connection to the gateway is closed.");
            }
#if NET
            await _ws.SendAsync(bytes.AsMemory(), WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
#else
            await _ws.SendAsync(new ArraySegment<byte>(bytes), WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
#endif
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            throw new GatewayException(FailureKind.Unreachable, "ConnectionClosed", "The connection to the gateway closed while sending: " + ex.Message, ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private static GatewayException ClosedBeforeAnswer(string method, CloseInfo info) =>
        new(FailureKind.Unreachable, "ConnectionClosed", $"{method}: the connection closed before the gateway answered ({info}).") { CloseCode = info.Code };

    /// <summary>Monotonic milliseconds (Environment.TickCount64 is not in netstandard2.0).</summary>
    private static long NowMs() => (long)(System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency * 1000);

    /// <summary>One request waiting for its response: completed by the receive loop, the deadline sweep, cancellation or close.</summary>
    private sealed class PendingRequest : TaskCompletionSource<JsonObject>
    {
        private readonly long _deadline;

        public PendingRequest(string method, TimeSpan limit, bool inline)
            : base(inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously)
        {
            Method = method;
            Limit = limit;
            _deadline = NowMs() + (long)Math.Min(limit.TotalMilliseconds, long.MaxValue / 4);
        }

        public string Method { get; }

        public TimeSpan Limit { get; }

        public bool ExpiredAt(long now) => now >= _deadline;
    }

    /// <summary>
    /// Starts the liveness watchdog: any inbound frame counts as life; after 2 x <paramref name="tickIntervalMs"/> of silence
    /// the connection is closed with 4000 "tick timeout" (spec §2.4).
    /// </summary>
    public void StartWatchdog(int tickIntervalMs)
    {
        int limit = Math.Max(1000, tickIntervalMs) * 2;
        int period = Math.Max(250, Math.Min(limit / 4, 5000));
        Interlocked.Exchange(ref _lastReceiveTicks, Environment.TickCount);
        _watchdog?.Dispose();
        _watchdog = new Timer(_ =>
        {
            long silent = unchecked(Environment.TickCount - (int)Interlocked.Read(ref _lastReceiveTicks));
            if (silent > limit)
            {
                _log.Write(NodeLogLevel.Warning, $"No frame from the gateway for {silent / 1000.0:0.#} s (limit {limit / 1000} s): closing with 4000 tick timeout.");
                _ = CloseAsync(4000, "tick timeout", abortAfter: TimeSpan.FromSeconds(1));
            }
        }, null, period, period);
    }

    /// <summary>Closes the connection with <paramref name="code"/> (waits briefly for the handshake, then aborts).</summary>
    public async Task CloseAsync(int code, string reason, TimeSpan? abortAfter = null)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1) { return; }
        _localClose = new CloseInfo(code, reason, null);
        try
        {
            if (_ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var cts = new CancellationTokenSource(abortAfter ?? TimeSpan.FromSeconds(2));
                await _ws.CloseOutputAsync((WebSocketCloseStatus)code, reason, cts.Token).ConfigureAwait(false);
                await Task.WhenAny(_closed.Task, Task.Delay(abortAfter ?? TimeSpan.FromSeconds(2))).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            _log.Write(NodeLogLevel.Debug, "Close handshake did not complete: " + ex.Message);
        }
        finally
        {
            _ws.Abort();
            _closed.TrySetResult(new CloseInfo(code, reason, null));
        }
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        CloseInfo? end = null;
        try
        {
            while (!_life.IsCancellationRequested)
            {
#if NET
                // The ValueTask overload: no Task allocated per frame.
                ValueTask<ValueWebSocketReceiveResult> pending = _ws.ReceiveAsync(buffer.AsMemory(), _life.Token);
                bool completedAtOnce = pending.IsCompleted;
                ValueWebSocketReceiveResult result = await pending.ConfigureAwait(false);
                if (!completedAtOnce && !_threadLogged)
                {
                    // Where the socket's continuations run: the host asks for them inline (HostEnvironment.TuneSocketsForHostProcess).
                    _threadLogged = true;
                    _log.Write(NodeLogLevel.Debug, Thread.CurrentThread.IsThreadPoolThread
                        ? "Socket continuations run on thread-pool threads."
                        : "Socket continuations run inline on the socket engine thread.");
                }
#else
                WebSocketReceiveResult result = await _ws.ReceiveAsync(new ArraySegment<byte>(buffer), _life.Token).ConfigureAwait(false);
#endif
                Interlocked.Exchange(ref _lastReceiveTicks, Environment.TickCount);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    end = new CloseInfo((int?)_ws.CloseStatus, _ws.CloseStatusDescription ?? string.Empty, null);
                    try { await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None).ConfigureAwait(false); }
                    catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException) { }
                    break;
                }
                if (message.Length + result.Count > MaxReceiveBytes)
                {
                    _log.Write(NodeLogLevel.Warning, $"The gateway sent a frame larger than {MaxReceiveBytes} bytes; closing with 1009.");
                    end = new CloseInfo(1009, "message too big", null);
                    _ = CloseAsync(1009, "message too big", TimeSpan.FromSeconds(1));
                    break;
                }
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) { continue; }
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    t_dispatching = true;
                    try { Dispatch(new ReadOnlySpan<byte>(message.GetBuffer(), 0, (int)message.Length)); }
                    finally { t_dispatching = false; }
                }
                else
                {
                    _log.Write(NodeLogLevel.Warning, "Ignored a binary frame from the gateway (the node protocol uses text frames only).");
                }
                message.SetLength(0);
                if (message.Capacity > 1024 * 1024) { message = new MemoryStream(); }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            end ??= new CloseInfo((int?)_ws.CloseStatus ?? 1006, _ws.CloseStatusDescription ?? ex.Message, ex);
        }
        finally
        {
            _watchdog?.Dispose();
            _sweeper?.Dispose();
            CloseInfo info = _localClose ?? end ?? new CloseInfo((int?)_ws.CloseStatus ?? 1006, _ws.CloseStatusDescription ?? "connection lost", null);
            _closed.TrySetResult(info);
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(ClosedBeforeAnswer(pending.Method, info));
            }
        }
    }

    private void Dispatch(ReadOnlySpan<byte> utf8)
    {
        DecodedFrame decoded = GatewayFrame.Decode(utf8);
        switch (decoded.Kind)
        {
            case FrameKind.Response:
                if (!_pending.TryGetValue(decoded.Id!, out var tcs))
                {
                    _log.Write(NodeLogLevel.Debug, $"Ignored a response with unknown id '{SafeText.Escape(decoded.Id!.Length <= 80 ? decoded.Id : decoded.Id.Substring(0, 80))}'.");
                    return;
                }
                tcs.TrySetResult(decoded.Frame!);
                return;
            case FrameKind.Challenge:
                _challenge.TrySetResult((JsonObject)decoded.Frame!["payload"]!);
                return;
            case FrameKind.Event:
                try { OnEvent?.Invoke(decoded.EventName!, decoded.Frame!); }
                catch (Exception ex)
                {
                    _log.Write(NodeLogLevel.Error, $"Handling the '{decoded.EventName}' event failed: {ex.Message}");
                }
                return;
            default:
                _log.Write(NodeLogLevel.Warning, $"Ignored a malformed frame from the gateway: {decoded.Problem}.");
                return;
        }
    }

    /// <summary>Aborts the connection immediately and releases it.</summary>
    public ValueTask DisposeAsync()
    {
        _life.Cancel();
        _watchdog?.Dispose();
        _sweeper?.Dispose();
        _ws.Abort();
        _ws.Dispose();
        _closed.TrySetResult(new CloseInfo(1006, "disposed", null));
        return default;
    }
}
