using System;
using System.IO;
using System.Threading;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Status;

/// <summary>
/// Publishes a running node host's live state to <c>node-status.json</c> (<see cref="NodeStatusFile"/>): on every change
/// and on a heartbeat timer. Writes are atomic (temp file, flush, rename; 0600). A write that fails is logged once per
/// distinct reason and never stops the host. Thread-safe.
/// </summary>
internal sealed class NodeStatusPublisher : IDisposable
{
    private readonly object _gate = new();
    private readonly string _path;
    private readonly INodeLog _log;
    private readonly NodeStatusFile _doc = new();
    private readonly Timer _timer;
    private readonly TimeSpan _interval;
    private string? _lastWriteError;
    private bool _stopped;

    /// <summary>Starts publishing for this process into <paramref name="stateDirectory"/> (state Starting).</summary>
    public NodeStatusPublisher(string stateDirectory, TimeSpan heartbeatInterval, INodeLog log)
    {
        _path = Path.Combine(stateDirectory, NodeStatusFile.FileName);
        _log = log;
        _interval = heartbeatInterval > TimeSpan.Zero ? heartbeatInterval : NodeStatusFile.DefaultHeartbeatInterval;
        (DateTimeOffset? started, long? ticks) = ProcessProbe.Current();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        _doc.Pid = ProcessProbe.CurrentId;
        _doc.ProcessStartedAt = started;
        _doc.ProcessStartTicks = ticks;
        _doc.HostVersion = NodeHost.Version;
        _doc.State = nameof(NodeConnectionState.Starting);
        _doc.StateSince = now;
        _doc.HeartbeatIntervalSeconds = _interval.TotalSeconds;
        lock (_gate) { WriteLocked(); }
        _timer = new Timer(_ => Heartbeat(), null, _interval, _interval);
    }

    /// <summary>Full path of the status file.</summary>
    public string FilePath => _path;

    /// <summary>Records who this host is and which gateway it uses (no secrets: the fingerprint is public).</summary>
    public void SetIdentity(string deviceId, string? displayName, string gatewayUrl, bool tls, string? tlsFingerprint) => Update(d =>
    {
        d.DeviceId = deviceId;
        d.DisplayName = displayName;
        d.GatewayUrl = gatewayUrl;
        d.Tls = tls;
        d.TlsFingerprint = tlsFingerprint;
    });

    /// <summary>Records a state change reported by the host.</summary>
    public void OnState(NodeConnectionState state, string message, string? pairingRequestId, int? exitCode) => Update(d =>
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        if (d.State != state.ToString()) { d.StateSince = now; }
        d.State = state.ToString();
        d.Message = message;
        switch (state)
        {
            case NodeConnectionState.Connected:
            case NodeConnectionState.AwaitingApproval:
                d.ConnectedSince ??= now;
                d.ReconnectAttempts = 0;
                d.DeviceApproved = true;
                d.PendingRequestId = null;
                if (state == NodeConnectionState.AwaitingApproval) { d.CommandSurfaceApproved = false; }
                break;
            case NodeConnectionState.PairingRequired:
                d.ConnectedSince = null;
                d.DeviceApproved = false;
                d.CommandSurfaceApproved = null;
                d.PendingRequestId = pairingRequestId;
                break;
            case NodeConnectionState.Stopped:
            case NodeConnectionState.Failed:
                d.ConnectedSince = null;
                d.ExitCode = exitCode;
                if (state == NodeConnectionState.Failed) { SetError(d, message, ErrorKindForExit(exitCode), now); }
                break;
            default:
                d.ConnectedSince = null;
                break;
        }
    }, final: state is NodeConnectionState.Stopped or NodeConnectionState.Failed);

    /// <summary>Records a failed connection attempt (counted in <c>reconnectAttempts</c> until the next connect).</summary>
    public void OnAttemptFailed(string message, string kind) => Update(d =>
    {
        d.ReconnectAttempts++;
        SetError(d, message, kind, DateTimeOffset.UtcNow);
    });

    /// <summary>Records a problem that does not change the connection state (e.g. a state file that could not be saved).</summary>
    public void OnWarning(string message, string kind) => Update(d => SetError(d, message, kind, DateTimeOffset.UtcNow));

    /// <summary>Records the loss of an established connection.</summary>
    public void OnDisconnected(string message) => Update(d =>
    {
        d.Disconnects++;
        d.ConnectedSince = null;
        SetError(d, message, "Disconnected", DateTimeOffset.UtcNow);
    });

    /// <summary>Records what is known about the gateway's approval of the declared command surface.</summary>
    public void SetCommandSurfaceApproved(bool approved)
    {
        lock (_gate)
        {
            if (_doc.CommandSurfaceApproved == approved) { return; }
        }
        Update(d => d.CommandSurfaceApproved = approved);
    }

    /// <summary>A copy of what was last published (for tests).</summary>
    public NodeStatusFile Snapshot()
    {
        lock (_gate) { return _doc.Clone(); }
    }

    /// <summary>Stops the heartbeat; the last state written stays in the file.</summary>
    public void Dispose()
    {
        lock (_gate) { _stopped = true; }
        _timer.Dispose();
    }

    private static void SetError(NodeStatusFile d, string message, string kind, DateTimeOffset at)
    {
        d.LastErrorMessage = message;
        d.LastErrorKind = kind;
        d.LastErrorAt = at;
    }

    private static string ErrorKindForExit(int? exitCode) => exitCode switch
    {
        NodeHostExitCodes.AuthenticationFailed => "AuthFailed",
        NodeHostExitCodes.Configuration => "Configuration",
        NodeHostExitCodes.StateWriteFailed => "StateWriteFailed",
        _ => "Failure",
    };

    private void Update(Action<NodeStatusFile> change, bool final = false)
    {
        lock (_gate)
        {
            if (_stopped) { return; }
            change(_doc);
            WriteLocked();
            if (final) { _stopped = true; }
        }
    }

    private void Heartbeat()
    {
        lock (_gate)
        {
            if (_stopped) { return; }
            WriteLocked();
        }
    }

    private void WriteLocked()
    {
        _doc.HeartbeatAt = DateTimeOffset.UtcNow;
        try
        {
            SecureFile.WriteAllText(_path, _doc.ToJson());
            _lastWriteError = null;
        }
        catch (StateFileException ex)
        {
            if (ex.Message != _lastWriteError)
            {
                _lastWriteError = ex.Message;
                _log.Write(NodeLogLevel.Warning, "Could not publish the node status (Get-OpenClawNodeStatus / openclaw-node status will not see this host): " + ex.Message);
            }
        }
    }
}
