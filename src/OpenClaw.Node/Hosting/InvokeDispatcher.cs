using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// Turns <c>node.invoke.request</c> events into command runs and <c>node.invoke.result</c> requests (spec §7):
/// exactly one result per invocation id, with our device id; invocations run concurrently; a duplicate id while the
/// first is running is ignored; <c>node.invoke.cancel</c> stops the run and sends nothing; unknown commands and bad
/// params get an error result, never a crash.
/// <para>
/// Concurrency limit: at most <see cref="DefaultMaxConcurrent"/> invocations run at once (quick commands such as
/// <c>system.which</c> run on the receiving thread and take no slot, though they count towards the queue limit); up to
/// <see cref="DefaultMaxQueued"/> more wait (in arrival order) for a free slot; beyond that a request is refused at once with
/// <c>UNAVAILABLE</c> "node busy" (the gateway relays it to the operator, who may retry). Queued requests still count as
/// running for duplicate detection and are cancelled like running ones. Memory is bounded by the receive limit times
/// (running + queued), and a refused request keeps nothing.
/// </para>
/// </summary>
internal sealed class InvokeDispatcher
{
    private readonly Dictionary<string, INodeCommand> _commands;
    private readonly string _nodeId;
    private readonly Func<string, JsonObject, CancellationToken, Task<JsonNode?>> _request;
    private readonly INodeLog _log;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly SemaphoreSlim _slots;
    private readonly int _maxConcurrent;
    private readonly int _maxAdmitted;
    private int _admitted;
    private long _refused;
    private int _maxPayload = Protocol.GatewayConnection.MaxPayloadBytes;

    /// <summary>Invocations that may run at the same time.</summary>
    public const int DefaultMaxConcurrent = 16;

    /// <summary>Invocations that may wait for a slot; more are refused with <c>UNAVAILABLE</c> "node busy".</summary>
    public const int DefaultMaxQueued = 64;

    public InvokeDispatcher(IEnumerable<INodeCommand> commands, string nodeId,
        Func<string, JsonObject, CancellationToken, Task<JsonNode?>> request, INodeLog log)
        : this(commands, nodeId, request, log, DefaultMaxConcurrent, DefaultMaxQueued)
    {
    }

    /// <summary>Creates a dispatcher with explicit limits (tests and benchmarks).</summary>
    internal InvokeDispatcher(IEnumerable<INodeCommand> commands, string nodeId,
        Func<string, JsonObject, CancellationToken, Task<JsonNode?>> request, INodeLog log, int maxConcurrent, int maxQueued)
    {
        if (maxConcurrent < 1) { throw new ArgumentOutOfRangeException(nameof(maxConcurrent)); }
        if (maxQueued < 0) { throw new ArgumentOutOfRangeException(nameof(maxQueued)); }
        _maxConcurrent = maxConcurrent;
        _maxAdmitted = maxConcurrent + maxQueued;
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
        _commands = new Dictionary<string, INodeCommand>(StringComparer.Ordinal);
        foreach (INodeCommand c in commands) { _commands[c.Name] = c; }
        _nodeId = nodeId;
        _request = request;
        _log = log;
    }

    /// <summary>Number of invocations currently running or queued for a slot.</summary>
    public int Running => _running.Count;

    /// <summary>Number of requests refused because the node was busy (since this dispatcher was created).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Caps result size (from <c>hello-ok.policy.maxPayload</c>).</summary>
    public void SetMaxPayload(int bytes) => _maxPayload = bytes;

    /// <summary>Handles a <c>node.invoke.request</c> payload; returns the task that runs it (for tests).</summary>
    public Task OnRequest(JsonObject? payload)
    {
        string? id = payload.Str("id");
        if (string.IsNullOrEmpty(id))
        {
            _log.Write(NodeLogLevel.Warning, "Ignored a node.invoke.request without an id: it cannot be answered.");
            return Task.CompletedTask;
        }
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        if (!_running.TryAdd(id!, cts))
        {
            cts.Dispose();
            _log.Write(NodeLogLevel.Warning, $"Ignored a duplicate node.invoke.request {SafeText.Escape(id!)} while the first is still running.");
            return Task.CompletedTask;
        }
        if (Interlocked.Increment(ref _admitted) > _maxAdmitted)
        {
            Interlocked.Decrement(ref _admitted);
            _running.TryRemove(id!, out _);
            cts.Dispose();
            long refused = Interlocked.Increment(ref _refused);
            if (refused == 1 || refused % 100 == 0)
            {
                _log.Write(NodeLogLevel.Warning, $"Node busy: refused invocation {SafeText.Escape(id!)} ({refused} refused so far; limit {_maxConcurrent} running + {_maxAdmitted - _maxConcurrent} queued).");
            }
            var busy = CommandResult.Fail("UNAVAILABLE",
                $"UNAVAILABLE: node busy: {_maxConcurrent} invocations running and {_maxAdmitted - _maxConcurrent} queued (the node's limit); retry later");
            return Task.Run(() => SendResultAsync(id!, busy, _shutdown.Token));
        }
        // A quick command (system.which) runs here, on the receiving thread, up to its first wait (the gateway's ack of the
        // result); everything else goes to the thread pool so the receive loop never waits on a process or the network.
        _commands.TryGetValue(payload.Str("command") ?? string.Empty, out INodeCommand? handler);
        if (handler is IQuickNodeCommand)
        {
            return RunAsync(id!, payload!, handler, cts);
        }
        return Task.Run(() => RunAsync(id!, payload!, handler, cts));
    }

    /// <summary>Handles <c>node.invoke.cancel {invokeId}</c>: stops the run; no result is sent for it.</summary>
    public void OnCancel(JsonObject? payload)
    {
        string? id = payload.Str("invokeId") ?? payload.Str("id");
        if (id is not null && _running.TryGetValue(id, out var cts))
        {
            _log.Write(NodeLogLevel.Info, $"Invocation {id} cancelled by the gateway.");
            cts.Cancel();
        }
    }

    /// <summary>Cancels every running invocation (connection lost or host stopping).</summary>
    public void CancelAll()
    {
        foreach (var cts in _running.Values)
        {
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        }
    }

    private async Task RunAsync(string id, JsonObject payload, INodeCommand? handler, CancellationTokenSource cts)
    {
        CommandResult result;
        string command = payload.Str("command") ?? string.Empty;
        bool slot = false;
        try
        {
            // A quick command runs on the receiving thread, one at a time by construction, and holds no slot: slots bound
            // the commands that run in parallel, and a which waiting for one behind slow runs would be a needless hop.
            if (handler is not IQuickNodeCommand)
            {
                await _slots.WaitAsync(cts.Token).ConfigureAwait(false);
                slot = true;
            }
            string? target = payload.Str("nodeId");
            if (target is not null && !string.Equals(target, _nodeId, StringComparison.OrdinalIgnoreCase))
            {
                result = CommandResult.Invalid("nodeId does not match this node");
            }
            else if (handler is null)
            {
                result = CommandResult.Fail("UNAVAILABLE", $"UNAVAILABLE: command not supported: {command}");
            }
            else if (!TryParams(payload, out JsonObject? parameters, out string? problem))
            {
                result = CommandResult.Invalid(problem!);
            }
            else
            {
                var ctx = new InvokeContext(id, _nodeId, command, parameters!, (int?)payload.Long("timeoutMs"), SendNodeEventAsync, _log);
                result = await handler.InvokeAsync(ctx, cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            _log.Write(NodeLogLevel.Info, $"Invocation {SafeText.Escape(id)} ({SafeText.Escape(command)}) stopped; no result is sent for a cancelled invocation.");
            Finish(id, cts, slot);
            return;
        }
        catch (Exception ex)
        {
            _log.Write(NodeLogLevel.Error, $"Invocation {SafeText.Escape(id)} ({SafeText.Escape(command)}) failed: {ex.GetType().Name}: {ex.Message}");
            result = CommandResult.Fail("UNAVAILABLE", "UNAVAILABLE: node invocation failed: " + ex.Message);
        }
        if (cts.IsCancellationRequested)
        {
            Finish(id, cts, slot);
            return;
        }
        try
        {
            await SendResultAsync(id, result, cts.Token).ConfigureAwait(false);
        }
        finally
        {
            Finish(id, cts, slot);
        }
    }

    private void Finish(string id, CancellationTokenSource cts, bool slot)
    {
        if (slot) { _slots.Release(); }
        Interlocked.Decrement(ref _admitted);
        _running.TryRemove(id, out _);
        cts.Dispose();
    }

    private static bool TryParams(JsonObject payload, out JsonObject? parameters, out string? problem)
    {
        problem = null;
        parameters = null;
        if (payload["paramsJSON"] is JsonNode pj)
        {
            if (pj is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                JsonNode? parsed = Json.ParseOrNull(v.GetValue<string>());
                if (parsed is JsonObject o) { parameters = o; return true; }
                if (parsed is null && v.GetValue<string>().Trim() == "null") { parameters = new JsonObject(); return true; }
                problem = "paramsJSON must be a JSON object";
                return false;
            }
            if (pj is JsonObject direct) { parameters = (JsonObject)direct.DeepClone(); return true; }
            problem = "paramsJSON must be a string";
            return false;
        }
        if (payload["params"] is JsonObject obj) { parameters = (JsonObject)obj.DeepClone(); return true; }
        if (payload["params"] is not null) { problem = "params must be an object"; return false; }
        parameters = new JsonObject();
        return true;
    }

    private async Task SendResultAsync(string id, CommandResult result, CancellationToken ct)
    {
        var p = new JsonObject { ["id"] = id, ["nodeId"] = _nodeId, ["ok"] = result.Ok };
        if (result.Ok)
        {
            string json = result.PayloadJson ?? "null";
            if (json.Length > _maxPayload - 4096)
            {
                p["ok"] = false;
                p["error"] = new JsonObject { ["code"] = "UNAVAILABLE", ["message"] = $"UNAVAILABLE: result of {json.Length} bytes exceeds the gateway's payload limit" };
            }
            else
            {
                p["payloadJSON"] = json;
            }
        }
        else
        {
            p["error"] = new JsonObject { ["code"] = result.ErrorCode, ["message"] = result.ErrorMessage };
        }
        try
        {
            JsonNode? ack = await _request("node.invoke.result", p, ct).ConfigureAwait(false);
            if (ack.Bool("ignored") == true) { _log.Write(NodeLogLevel.Warning, $"The gateway ignored the result of {id} (it arrived late or the invocation is unknown)."); }
        }
        catch (Exception ex) when (ex is Protocol.GatewayException or OperationCanceledException)
        {
            _log.Write(NodeLogLevel.Warning, $"Could not deliver the result of {id}: {ex.Message}");
        }
    }

    /// <summary>Params of <c>node.event</c> (spec §6.2): the event name and its payload as a JSON string.</summary>
    internal static JsonObject NodeEventParams(string name, JsonObject payload) =>
        new() { ["event"] = name, ["payloadJSON"] = Json.Serialize(payload) };

    private async Task SendNodeEventAsync(string name, JsonObject payload, CancellationToken ct)
    {
        try
        {
            await _request("node.event", NodeEventParams(name, payload), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Protocol.GatewayException)
        {
            _log.Write(NodeLogLevel.Debug, $"node.event {name} not accepted: {ex.Message}");
        }
    }
}
