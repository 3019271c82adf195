using System;
using OpenClaw.Node.Status;

namespace OpenClaw.PowerShell;

/// <summary>
/// Whether this node is healthy, as one flat object for one-line checks (<c>(Get-OpenClawNodeStatus).Connected</c>) and
/// Intune detection: service, host process, gateway, connection, pairing and the default agent's exec policy.
/// Written by Get-OpenClawNodeStatus. Never carries a token.
/// </summary>
public sealed class OpenClawNodeStatus
{
    internal OpenClawNodeStatus(NodeStatus s)
    {
        Healthy = s.Healthy;
        Connected = s.Connected;
        Summary = s.Summary;
        StateDirectory = s.StateDirectory;
        CheckedAt = s.CheckedAt;

        ServiceInstalled = s.Service.Installed;
        ServiceManager = s.Service.Manager.ToString();
        ServiceName = s.Service.Name;
        ServiceScope = s.Service.Scope;
        ServiceRunning = s.Service.Running;
        ServiceProcessId = s.Service.ProcessId;
        ServiceDefinitionPath = s.Service.DefinitionPath;

        HostRunning = s.Host.Running;
        HostState = s.Host.State.ToString();
        HostReason = s.Host.Reason;
        HostProcessId = s.Host.ProcessId;
        HostVersion = s.Host.Version;
        HostStartTime = s.Host.StartedAt;
        HostUptime = s.Host.Uptime;
        HeartbeatTime = s.Host.HeartbeatAt;
        HostExitCode = s.Host.ExitCode;
        StatusFile = s.Host.StatusFile;
        DeviceId = s.Host.DeviceId;
        DisplayName = s.Host.DisplayName;

        GatewayUrl = s.Gateway.Url;
        Tls = s.Gateway.Tls;
        TlsFingerprint = s.Gateway.TlsFingerprint;

        ConnectionState = s.Connection.State?.ToString();
        LastKnownState = s.Connection.LastKnownState?.ToString();
        ConnectedSince = s.Connection.Since;
        ReconnectAttempts = s.Connection.ReconnectAttempts;
        Disconnects = s.Connection.Disconnects;
        LastError = s.Connection.LastError;
        LastErrorKind = s.Connection.LastErrorKind;
        LastErrorTime = s.Connection.LastErrorAt;

        DeviceApproved = s.Pairing.DeviceApproved;
        CommandSurfaceApproved = s.Pairing.CommandSurfaceApproved;
        PairingRequestId = s.Pairing.PendingRequestId;
        DeviceTokenStored = s.Pairing.DeviceTokenStored;

        ExecPolicyAgentId = s.Policy.AgentId;
        ExecSecurity = s.Policy.Security is Node.Approvals.ExecSecurity sec ? OpenClawExecApprovalPolicy.Map(sec) : null;
        ExecAsk = s.Policy.Ask is Node.Approvals.ExecAsk ask ? OpenClawExecApprovalPolicy.Map(ask) : null;
        ExecPolicySource = s.Policy.Source;
        ExecApprovalsPath = s.Policy.Path;
        ExecApprovalsError = s.Policy.Error;

        MachinePolicyInForce = s.MachinePolicy.InForce;
        MachinePolicySource = s.MachinePolicy.Sources.Count == 0 ? null : string.Join("; ", s.MachinePolicy.Sources);
        MachinePolicySummary = s.MachinePolicy.Summary;
        MachinePolicyError = s.MachinePolicy.Error;
    }

    /// <summary>True when the host runs, is connected, its commands are approved and its exec-approvals file is usable.</summary>
    public bool Healthy { get; }

    /// <summary>True when a running host holds an accepted gateway connection (also while its commands await approval).</summary>
    public bool Connected { get; }

    /// <summary>One line: what is going on and, when not healthy, what to do.</summary>
    public string Summary { get; }

    /// <summary>The state directory (full path).</summary>
    public string StateDirectory { get; }

    /// <summary>When the status was read.</summary>
    public DateTimeOffset CheckedAt { get; }

    /// <summary>True when a service definition for the node host is installed.</summary>
    public bool ServiceInstalled { get; }

    /// <summary>None, Systemd, ScheduledTask, WindowsService or Launchd.</summary>
    public string ServiceManager { get; }

    /// <summary>The service's name as its manager knows it.</summary>
    public string? ServiceName { get; }

    /// <summary>User or System; null when nothing is installed.</summary>
    public string? ServiceScope { get; }

    /// <summary>True when the service manager reports the service as running.</summary>
    public bool ServiceRunning { get; }

    /// <summary>The main process id the service manager reports.</summary>
    public int? ServiceProcessId { get; }

    /// <summary>Full path of the service definition (unit file, task XML, plist).</summary>
    public string? ServiceDefinitionPath { get; }

    /// <summary>True when the host process is alive, is the one that published the status, and its heartbeat is fresh.</summary>
    public bool HostRunning { get; }

    /// <summary>NotRunning, Running, Stopped, Failed, Dead (killed or crashed), Unresponsive (hung) or Unknown (unreadable status file).</summary>
    public string HostState { get; }

    /// <summary>Why the host is in its state, one sentence.</summary>
    public string HostReason { get; }

    /// <summary>Process id of the host (the last one recorded, also after it ended).</summary>
    public int? HostProcessId { get; }

    /// <summary>Version of the node host.</summary>
    public string? HostVersion { get; }

    /// <summary>When the host process started.</summary>
    public DateTimeOffset? HostStartTime { get; }

    /// <summary>How long the host has been running; null when it does not run.</summary>
    public TimeSpan? HostUptime { get; }

    /// <summary>When the host last wrote its status (every 15 s while it runs).</summary>
    public DateTimeOffset? HeartbeatTime { get; }

    /// <summary>The host's exit code once it stopped: 0 on request, 1 failure, 74 state directory not writable (disk full or read-only), 77 credentials rejected, 78 unusable configuration.</summary>
    public int? HostExitCode { get; }

    /// <summary>Full path of node-status.json.</summary>
    public string StatusFile { get; }

    /// <summary>The device id (64 hex), which is the gateway's node id.</summary>
    public string? DeviceId { get; }

    /// <summary>The display name the host sends to the gateway.</summary>
    public string? DisplayName { get; }

    /// <summary>The gateway URL.</summary>
    public string? GatewayUrl { get; }

    /// <summary>True for wss://.</summary>
    public bool Tls { get; }

    /// <summary>The pinned SHA-256 fingerprint of the gateway's certificate (64 hex; public, not a secret).</summary>
    public string? TlsFingerprint { get; }

    /// <summary>The running host's connection state (Connecting, PairingRequired, AwaitingApproval, Connected, Reconnecting); null when the host does not run.</summary>
    public string? ConnectionState { get; }

    /// <summary>The last connection state the host published, also after it ended.</summary>
    public string? LastKnownState { get; }

    /// <summary>Since when the current connection is up; null when not connected.</summary>
    public DateTimeOffset? ConnectedSince { get; }

    /// <summary>Failed connection attempts since the host was last connected (0 while connected).</summary>
    public int ReconnectAttempts { get; }

    /// <summary>Established connections lost since the host started (gateway restarts, network drops).</summary>
    public int Disconnects { get; }

    /// <summary>The last error since the host started (kept after it reconnects).</summary>
    public string? LastError { get; }

    /// <summary>Kind of the last error: Unreachable, PairingRequired, AuthFailed, TlsFailure, Disconnected, Configuration, ...</summary>
    public string? LastErrorKind { get; }

    /// <summary>When the last error happened.</summary>
    public DateTimeOffset? LastErrorTime { get; }

    /// <summary>True once the gateway accepted this device; false while a pairing request is pending; null when unknown.</summary>
    public bool? DeviceApproved { get; }

    /// <summary>True when the gateway accepts the node's commands; false while they await approval; null when not known yet.</summary>
    public bool? CommandSurfaceApproved { get; }

    /// <summary>The pending device pairing request id, while the device waits for approval.</summary>
    public string? PairingRequestId { get; }

    /// <summary>True when node.json holds a device token (the token itself is never read out).</summary>
    public bool DeviceTokenStored { get; }

    /// <summary>The agent whose exec policy is reported: main, the OpenClaw default agent.</summary>
    public string ExecPolicyAgentId { get; }

    /// <summary>Effective exec security of the default agent; null when exec-approvals.json is unusable (every command is denied).</summary>
    public ExecSecurityMode? ExecSecurity { get; }

    /// <summary>Effective ask mode of the default agent; null when exec-approvals.json is unusable.</summary>
    public ExecAskMode? ExecAsk { get; }

    /// <summary>Where the security mode comes from, e.g. defaults.security or the built-in default.</summary>
    public string? ExecPolicySource { get; }

    /// <summary>Full path of exec-approvals.json.</summary>
    public string ExecApprovalsPath { get; }

    /// <summary>Why exec-approvals.json is unusable, or null.</summary>
    public string? ExecApprovalsError { get; }

    /// <summary>True when a machine policy (HKLM:\SOFTWARE\Policies\OpenClaw, /etc/openclaw/policy.json, OPENCLAW_POLICY_FILE) is in force; the exec policy above is already clamped to it.</summary>
    public bool MachinePolicyInForce { get; }

    /// <summary>Where the machine policy comes from (registry key or file paths, "; "-separated); null when there is none.</summary>
    public string? MachinePolicySource { get; }

    /// <summary>One line: what the machine policy restricts, or that there is none.</summary>
    public string MachinePolicySummary { get; }

    /// <summary>Why a machine policy source is unusable (then the host refuses to run and denies every command), or null.</summary>
    public string? MachinePolicyError { get; }

    /// <inheritdoc />
    public override string ToString() => Summary;
}
