using System;
using OpenClaw.Node.Hosting;

namespace OpenClaw.PowerShell;

/// <summary>A connection-state change of a node host started with Start-OpenClawNode. Carries no secrets.</summary>
public sealed class OpenClawNodeStateChange
{
    internal OpenClawNodeStateChange(NodeHostStatus s)
    {
        State = s.State.ToString();
        Timestamp = s.Timestamp;
        DeviceId = s.DeviceId;
        Gateway = s.Gateway;
        Name = s.DisplayName;
        PairingRequestId = s.PairingRequestId;
        Message = s.Message;
        RetryIn = s.RetryIn;
        ExitCode = s.ExitCode;
    }

    /// <summary>Starting, Connecting, PairingRequired, AwaitingApproval, Connected, Reconnecting, Stopped or Failed.</summary>
    public string State { get; }

    /// <summary>When the state was entered.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The device id (64 hex), which is the gateway's node id.</summary>
    public string DeviceId { get; }

    /// <summary>The gateway URL.</summary>
    public string Gateway { get; }

    /// <summary>The node's display name.</summary>
    public string? Name { get; }

    /// <summary>The pending device pairing request id while State is PairingRequired.</summary>
    public string? PairingRequestId { get; }

    /// <summary>What happened and, where useful, what to do.</summary>
    public string Message { get; }

    /// <summary>Delay before the next connection attempt.</summary>
    public TimeSpan? RetryIn { get; }

    /// <summary>Exit code when State is Stopped or Failed.</summary>
    public int? ExitCode { get; }

    /// <inheritdoc />
    public override string ToString() => State + ": " + Message;
}
