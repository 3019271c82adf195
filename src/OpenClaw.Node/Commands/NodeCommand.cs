using System;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;

namespace OpenClaw.Node.Commands;

/// <summary>The outcome of one invocation, sent as <c>node.invoke.result</c> (spec §7.2).</summary>
internal sealed record CommandResult(bool Ok, string? PayloadJson, string? ErrorCode, string? ErrorMessage)
{
    public static CommandResult Success(JsonNode payload) => new(true, Internal.Json.Serialize(payload), null, null);

    public static CommandResult Fail(string code, string message) => new(false, null, code, message);

    /// <summary><c>INVALID_REQUEST</c> with the conventional <c>INVALID_REQUEST:</c> message prefix.</summary>
    public static CommandResult Invalid(string message) => Fail("INVALID_REQUEST", "INVALID_REQUEST: " + message);
}

/// <summary>What a command gets for one invocation.</summary>
internal sealed class InvokeContext
{
    public InvokeContext(string invokeId, string nodeId, string command, JsonObject parameters, int? timeoutMs,
        Func<string, JsonObject, CancellationToken, Task> sendNodeEvent, INodeLog log)
    {
        InvokeId = invokeId;
        NodeId = nodeId;
        Command = command;
        Params = parameters;
        TimeoutMs = timeoutMs;
        SendNodeEventAsync = sendNodeEvent;
        Log = log;
    }

    public string InvokeId { get; }
    public string NodeId { get; }
    public string Command { get; }
    public JsonObject Params { get; }
    public int? TimeoutMs { get; }

    /// <summary>Sends <c>node.event {event, payloadJSON}</c>; best-effort (failures are logged by the sender).</summary>
    public Func<string, JsonObject, CancellationToken, Task> SendNodeEventAsync { get; }

    public INodeLog Log { get; }
}

/// <summary>A command the node declares in <c>connect.commands</c> and answers in <c>node.invoke.request</c>.</summary>
internal interface INodeCommand
{
    /// <summary>Protocol name, e.g. <c>system.run</c>.</summary>
    string Name { get; }

    /// <summary>Runs the invocation; cancellation means <c>node.invoke.cancel</c> or shutdown (no result is sent then).</summary>
    Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken ct);
}

/// <summary>
/// A command that answers at once from memory and a few file-system lookups, never waiting on a process, the network or
/// a user (<c>system.which</c>). The dispatcher runs it on the thread that received the request instead of handing it to
/// the thread pool: one thread wake-up less per invocation, which is most of the host's CPU for such a small answer.
/// </summary>
internal interface IQuickNodeCommand : INodeCommand
{
}
