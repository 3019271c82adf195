using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Collections.Specialized;
using OpenClaw.Node.Operator;

namespace OpenClaw.PowerShell;

/// <summary>The operator connection made by Connect-OpenClawGateway.</summary>
public sealed class OpenClawGatewayConnection
{
    internal OpenClawGatewayConnection(OperatorClient client)
    {
        Gateway = client.Url;
        Scopes = client.Scopes.ToArray();
        ConnectedAt = DateTimeOffset.Now;
        DeviceId = client.DeviceId;
    }

    /// <summary>The operator's own device id when the connection presented a device identity (remote gateways, -UseDeviceIdentity); null for a device-less loopback connection.</summary>
    public string? DeviceId { get; }

    /// <summary>Gateway URL.</summary>
    public string Gateway { get; }

    /// <summary>Scopes the gateway granted.</summary>
    public string[] Scopes { get; }

    /// <summary>When the connection was made.</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <inheritdoc />
    public override string ToString() => Gateway;
}

/// <summary>The two approvals a node needs: its device, then its declared command surface.</summary>
public enum OpenClawNodeRequestKind
{
    /// <summary>Device pairing: the gateway does not know the node's key yet.</summary>
    Device,
    /// <summary>Command-surface approval: the node declared commands that are not approved yet.</summary>
    CommandSurface,
}

/// <summary>A pending request: device pairing or command-surface approval.</summary>
public sealed class OpenClawNodeRequest
{
    internal OpenClawNodeRequest(NodeRequestInfo r, string gateway)
    {
        Info = r;
        Kind = (OpenClawNodeRequestKind)(int)r.Kind;
        Id = r.RequestId;
        NodeId = r.NodeId;
        Name = r.DisplayName;
        Platform = r.Platform;
        Version = r.Version;
        Role = r.Role;
        Commands = r.Commands.ToArray();
        Capabilities = r.Caps.ToArray();
        RequiredScopes = r.RequiredScopes.ToArray();
        Address = r.RemoteAddress;
        RequestedAt = r.RequestedAt;
        Gateway = gateway;
    }

    internal NodeRequestInfo Info { get; }

    /// <summary>Device or CommandSurface.</summary>
    public OpenClawNodeRequestKind Kind { get; }

    /// <summary>The request id.</summary>
    public string Id { get; }

    /// <summary>The node's device id.</summary>
    public string NodeId { get; }

    /// <summary>The node's display name.</summary>
    public string? Name { get; }

    /// <summary>Platform the node reported.</summary>
    public string? Platform { get; }

    /// <summary>Node software version.</summary>
    public string? Version { get; }

    /// <summary>Requested role.</summary>
    public string? Role { get; }

    /// <summary>Commands the node asks to have approved.</summary>
    public string[] Commands { get; }

    /// <summary>Capability categories the node declared.</summary>
    public string[] Capabilities { get; }

    /// <summary>Scopes an approver needs.</summary>
    public string[] RequiredScopes { get; }

    /// <summary>Address the request came from, if reported.</summary>
    public string? Address { get; }

    /// <summary>When the request was made.</summary>
    public DateTimeOffset? RequestedAt { get; }

    /// <summary>How long the request has been waiting.</summary>
    public TimeSpan? Age => RequestedAt is DateTimeOffset t ? DateTimeOffset.Now - t : null;

    /// <summary>Gateway URL.</summary>
    public string Gateway { get; }

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>A node known to the gateway.</summary>
public sealed class OpenClawNode
{
    internal OpenClawNode(NodeInfo n, string gateway)
    {
        Id = n.NodeId;
        Name = n.DisplayName;
        Connected = n.Connected;
        Paired = n.Paired;
        ApprovalState = n.ApprovalState;
        Platform = n.Platform;
        Version = n.Version;
        Commands = n.Commands.ToArray();
        PendingRequestId = n.PendingRequestId;
        PendingCommands = n.PendingCommands.ToArray();
        Address = n.RemoteIp;
        LastSeen = n.LastSeen;
        ConnectedAt = n.ConnectedAt;
        ApprovedAt = n.ApprovedAt;
        Gateway = gateway;
    }

    /// <summary>Device id (the node id).</summary>
    public string Id { get; }

    /// <summary>Display name.</summary>
    public string? Name { get; }

    /// <summary>Whether the node is connected now.</summary>
    public bool Connected { get; }

    /// <summary>Whether the device is paired.</summary>
    public bool Paired { get; }

    /// <summary>approved, pending-approval or pending-reapproval.</summary>
    public string? ApprovalState { get; }

    /// <summary>Platform.</summary>
    public string? Platform { get; }

    /// <summary>Node software version.</summary>
    public string? Version { get; }

    /// <summary>Approved commands.</summary>
    public string[] Commands { get; }

    /// <summary>Pending command-surface request, if any.</summary>
    public string? PendingRequestId { get; }

    /// <summary>Commands waiting for approval.</summary>
    public string[] PendingCommands { get; }

    /// <summary>Address the node connects from.</summary>
    public string? Address { get; }

    /// <summary>Last time the gateway saw the node.</summary>
    public DateTimeOffset? LastSeen { get; }

    /// <summary>Start of the current connection.</summary>
    public DateTimeOffset? ConnectedAt { get; }

    /// <summary>When the node was approved.</summary>
    public DateTimeOffset? ApprovedAt { get; }

    /// <summary>Gateway URL.</summary>
    public string Gateway { get; }

    /// <inheritdoc />
    public override string ToString() => Name ?? Id;
}

/// <summary>
/// Turns JSON payloads into PowerShell objects (PSCustomObject, object[], primitives) or hashtables and back. JSON
/// crosses from the engine as a plain CLR graph (<see cref="HostInterop"/>): this assembly never names a
/// System.Text.Json type, so it binds to no JSON library version of PowerShell's own.
/// </summary>
internal static class JsonToPowerShell
{
    public static object? ToPSObject(object? clr) => clr switch
    {
        OrderedDictionary o => Obj(o),
        object?[] a => a.Select(ToPSObject).ToArray(),
        _ => clr,
    };

    private static PSObject Obj(OrderedDictionary o)
    {
        var ps = new PSObject();
        foreach (DictionaryEntry kv in o) { ps.Properties.Add(new PSNoteProperty((string)kv.Key, ToPSObject(kv.Value))); }
        return ps;
    }

    public static object? ToHashtable(object? clr) => clr switch
    {
        OrderedDictionary o => o.Cast<DictionaryEntry>().Aggregate(new Hashtable(StringComparer.OrdinalIgnoreCase), (h, kv) => { h[kv.Key] = ToHashtable(kv.Value); return h; }),
        object?[] a => a.Select(ToHashtable).ToArray(),
        _ => clr,
    };

    /// <summary>Converts a hashtable / PSObject / primitive from PowerShell into the CLR graph the engine sends as JSON
    /// (PSCustomObjects become ordered dictionaries; wrapped values are unwrapped).</summary>
    public static object? FromPowerShell(object? value)
    {
        if (value is PSObject pso && pso.BaseObject is not PSCustomObject) { value = pso.BaseObject; }
        switch (value)
        {
            case null: return null;
            case string: return value;
            case IDictionary dict:
            {
                var o = new OrderedDictionary(StringComparer.Ordinal);
                foreach (DictionaryEntry e in dict) { o[e.Key.ToString()!] = FromPowerShell(e.Value); }
                return o;
            }
            case PSObject custom:
            {
                var o = new OrderedDictionary(StringComparer.Ordinal);
                foreach (PSPropertyInfo p in custom.Properties) { o[p.Name] = FromPowerShell(p.Value); }
                return o;
            }
            case IEnumerable list:
            {
                var a = new List<object?>();
                foreach (object? item in list) { a.Add(FromPowerShell(item)); }
                return a.ToArray();
            }
            default: return value;
        }
    }
}

/// <summary>What <c>system.run</c> did on a node (Invoke-OpenClawNodeCommand -ArgumentList).</summary>
public sealed class OpenClawCommandResult
{
    internal OpenClawCommandResult(SystemRunResult r, NodeInfo node, string[] argumentList, string gateway)
    {
        NodeId = node.NodeId;
        NodeName = node.DisplayName;
        ArgumentList = argumentList;
        ExitCode = r.ExitCode;
        Success = r.Success;
        TimedOut = r.TimedOut;
        StdOut = r.StdOut;
        StdErr = r.StdErr;
        Error = r.Error;
        Gateway = gateway;
    }

    /// <summary>Device id of the node that ran the command.</summary>
    public string NodeId { get; }

    /// <summary>Display name of the node.</summary>
    public string? NodeName { get; }

    /// <summary>The argv that ran (no shell).</summary>
    public string[] ArgumentList { get; }

    /// <summary>Exit code; 124 when the node killed the command at its timeout; null when it never started.</summary>
    public int? ExitCode { get; }

    /// <summary>True when the command exited with 0 and did not time out.</summary>
    public bool Success { get; }

    /// <summary>True when the node killed the command's process tree at the timeout.</summary>
    public bool TimedOut { get; }

    /// <summary>Standard output (the node caps combined output at 200 000 bytes).</summary>
    public string StdOut { get; }

    /// <summary>Standard error.</summary>
    public string StdErr { get; }

    /// <summary>The node's error text when the command could not run, else null.</summary>
    public string? Error { get; }

    /// <summary>Gateway URL.</summary>
    public string Gateway { get; }

    /// <inheritdoc />
    public override string ToString() => StdOut;
}
