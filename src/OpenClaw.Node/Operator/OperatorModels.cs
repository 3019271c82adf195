using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Operator;

/// <summary>The two approvals a node needs (spec §1): its device, then its declared command surface.</summary>
public enum NodeRequestKind
{
    /// <summary>Device pairing (<c>device.pair.*</c>): the gateway does not know this key yet.</summary>
    Device,
    /// <summary>Command-surface approval (<c>node.pair.*</c>): the node declared commands that are not approved yet.</summary>
    CommandSurface,
}

/// <summary>A pending request of either kind, from <c>device.pair.list</c> or <c>node.pair.list</c>.</summary>
public sealed record NodeRequestInfo
{
    /// <summary>Device pairing or command surface.</summary>
    public NodeRequestKind Kind { get; init; }

    /// <summary>The request id to approve or deny.</summary>
    public string RequestId { get; init; } = string.Empty;

    /// <summary>The node's device id (64 hex).</summary>
    public string NodeId { get; init; } = string.Empty;

    /// <summary>Display name the node sent.</summary>
    public string? DisplayName { get; init; }

    /// <summary>client.platform (linux, windows, macos, ...).</summary>
    public string? Platform { get; init; }

    /// <summary>client.version of the node software.</summary>
    public string? Version { get; init; }

    /// <summary>Requested role (device requests: node or operator).</summary>
    public string? Role { get; init; }

    /// <summary>All roles a device request asks for (<c>roles</c>; e.g. node and operator for a full-profile setup code); empty when not reported.</summary>
    public IReadOnlyList<string> Roles { get; init; } = Array.Empty<string>();

    /// <summary>Operator scopes a device request asks for (<c>scopes</c>); empty for a node.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = Array.Empty<string>();

    /// <summary>Commands the node declared (command-surface requests).</summary>
    public IReadOnlyList<string> Commands { get; init; } = Array.Empty<string>();

    /// <summary>Capability categories the node declared.</summary>
    public IReadOnlyList<string> Caps { get; init; } = Array.Empty<string>();

    /// <summary>Scopes the approver needs (command-surface requests).</summary>
    public IReadOnlyList<string> RequiredScopes { get; init; } = Array.Empty<string>();

    /// <summary>Address the request came from, when the gateway reports it.</summary>
    public string? RemoteAddress { get; init; }

    /// <summary>When the request was made.</summary>
    public DateTimeOffset? RequestedAt { get; init; }

    /// <summary>Whether the gateway created it silently (first surface after a silent device approval).</summary>
    public bool Silent { get; init; }

    internal static NodeRequestInfo FromDevice(JsonNode? d) => new()
    {
        Kind = NodeRequestKind.Device,
        RequestId = d.Str("requestId") ?? string.Empty,
        NodeId = d.Str("deviceId") ?? string.Empty,
        DisplayName = d.Str("displayName"),
        Platform = d.Str("platform"),
        Version = d.Str("version"),
        Role = d.Str("role"),
        Roles = d.StrArray("roles") ?? new List<string>(),
        Scopes = d.StrArray("scopes") ?? new List<string>(),
        Caps = Array.Empty<string>(),
        RemoteAddress = d.Str("remoteIp") ?? d.Str("remoteAddress"),
        RequestedAt = Time(d.Long("ts")),
        Silent = d.Bool("silent") ?? false,
    };

    internal static NodeRequestInfo FromNode(JsonNode? n) => new()
    {
        Kind = NodeRequestKind.CommandSurface,
        RequestId = n.Str("requestId") ?? string.Empty,
        NodeId = n.Str("nodeId") ?? string.Empty,
        DisplayName = n.Str("displayName"),
        Platform = n.Str("platform"),
        Version = n.Str("version"),
        Role = "node",
        Commands = n.StrArray("commands") ?? new List<string>(),
        Caps = n.StrArray("caps") ?? new List<string>(),
        RequiredScopes = n.StrArray("requiredApproveScopes") ?? new List<string>(),
        RemoteAddress = n.Str("remoteIp"),
        RequestedAt = Time(n.Long("ts")),
        Silent = n.Bool("silent") ?? false,
    };

    internal static DateTimeOffset? Time(long? ms) => ms is long v && v > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}

/// <summary>A node as <c>node.list</c> reports it (paired or pending, connected or not).</summary>
public sealed record NodeInfo
{
    /// <summary>Device id (64 hex).</summary>
    public string NodeId { get; init; } = string.Empty;

    /// <summary>Display name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>client.platform.</summary>
    public string? Platform { get; init; }

    /// <summary>client.deviceFamily.</summary>
    public string? DeviceFamily { get; init; }

    /// <summary>Node software version.</summary>
    public string? Version { get; init; }

    /// <summary>Whether the node is connected now.</summary>
    public bool Connected { get; init; }

    /// <summary>Whether the device is paired.</summary>
    public bool Paired { get; init; }

    /// <summary><c>approved</c>, <c>pending-approval</c> or <c>pending-reapproval</c>.</summary>
    public string? ApprovalState { get; init; }

    /// <summary>Approved, effective commands.</summary>
    public IReadOnlyList<string> Commands { get; init; } = Array.Empty<string>();

    /// <summary>Approved capability categories.</summary>
    public IReadOnlyList<string> Caps { get; init; } = Array.Empty<string>();

    /// <summary>Pending command-surface request id, if any.</summary>
    public string? PendingRequestId { get; init; }

    /// <summary>Commands waiting for (re-)approval.</summary>
    public IReadOnlyList<string> PendingCommands { get; init; } = Array.Empty<string>();

    /// <summary>Address the node connects from.</summary>
    public string? RemoteIp { get; init; }

    /// <summary>Last time the gateway saw the node.</summary>
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>When the current connection started.</summary>
    public DateTimeOffset? ConnectedAt { get; init; }

    /// <summary>When the node was approved.</summary>
    public DateTimeOffset? ApprovedAt { get; init; }

    internal static NodeInfo From(JsonNode? n) => new()
    {
        NodeId = n.Str("nodeId") ?? string.Empty,
        DisplayName = n.Str("displayName"),
        Platform = n.Str("platform"),
        DeviceFamily = n.Str("deviceFamily"),
        Version = n.Str("version"),
        Connected = n.Bool("connected") ?? false,
        Paired = n.Bool("paired") ?? false,
        ApprovalState = n.Str("approvalState"),
        Commands = n.StrArray("commands") ?? new List<string>(),
        Caps = n.StrArray("caps") ?? new List<string>(),
        PendingRequestId = n.Str("pendingRequestId"),
        PendingCommands = n.StrArray("pendingDeclaredCommands") ?? new List<string>(),
        RemoteIp = n.Str("remoteIp"),
        LastSeen = NodeRequestInfo.Time(n.Long("lastSeenAtMs")),
        ConnectedAt = NodeRequestInfo.Time(n.Long("connectedAtMs")),
        ApprovedAt = NodeRequestInfo.Time(n.Long("approvedAtMs")),
    };
}

/// <summary>
/// The result of <c>system.run</c> on a node as the node reports it in the <c>node.invoke</c> payload:
/// <c>{exitCode, timedOut, success, stdout, stderr, error}</c> (spec §8.2; combined output capped at 200 000 bytes by the
/// node, with a <c>\n... (truncated)</c> suffix).
/// </summary>
public sealed record SystemRunResult
{
    /// <summary>The process exit code; 124 when the node killed it at its timeout; null when it never started.</summary>
    public int? ExitCode { get; init; }

    /// <summary>True when the node killed the process tree at the command's timeout.</summary>
    public bool TimedOut { get; init; }

    /// <summary>True when the process exited with 0 and did not time out.</summary>
    public bool Success { get; init; }

    /// <summary>Standard output (UTF-8 text).</summary>
    public string StdOut { get; init; } = string.Empty;

    /// <summary>Standard error (UTF-8 text).</summary>
    public string StdErr { get; init; } = string.Empty;

    /// <summary>The node's error text when the command could not run (e.g. not found, cwd missing), else null.</summary>
    public string? Error { get; init; }

    /// <summary>Reads a <c>system.run</c> payload; missing fields take their defaults.</summary>
    public static SystemRunResult From(JsonNode? payload) => new()
    {
        ExitCode = payload.Long("exitCode") is long c ? (int)c : null,
        TimedOut = payload.Bool("timedOut") ?? false,
        Success = payload.Bool("success") ?? false,
        StdOut = payload.Str("stdout") ?? string.Empty,
        StdErr = payload.Str("stderr") ?? string.Empty,
        Error = payload.Str("error"),
    };
}
