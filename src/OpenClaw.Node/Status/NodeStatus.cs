using System;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Service;

namespace OpenClaw.Node.Status;

/// <summary>Whether the node host of a state directory runs, as <see cref="NodeStatusReader"/> determines it.</summary>
public enum NodeHostState
{
    /// <summary>No node host has published a status in this state directory (it never ran here, or ran a version without status).</summary>
    NotRunning,
    /// <summary>The host process is alive, is the one that wrote the status, and its heartbeat is fresh.</summary>
    Running,
    /// <summary>The host stopped on request (exit code 0).</summary>
    Stopped,
    /// <summary>The host stopped because of an error a retry cannot fix (exit code 1, 77 or 78, or 74 while its state directory cannot be written; see the last error).</summary>
    Failed,
    /// <summary>The host ended without a clean stop (killed, crashed, power loss): its process is gone or its id now belongs to another process.</summary>
    Dead,
    /// <summary>The host process is alive but has not refreshed its status for more than three heartbeat intervals (hung).</summary>
    Unresponsive,
    /// <summary>The status file exists but cannot be read or parsed (see <see cref="NodeStatusHost.StatusFileError"/>).</summary>
    Unknown,
}

/// <summary>The node host process (from <c>node-status.json</c> and the operating system).</summary>
public sealed record NodeStatusHost
{
    /// <summary>Whether the host runs; see <see cref="Running"/>.</summary>
    public NodeHostState State { get; init; }

    /// <summary>True only for <see cref="NodeHostState.Running"/>: alive, verified by process start time, heartbeat fresh.</summary>
    public bool Running => State == NodeHostState.Running;

    /// <summary>Process id of the host (the last one recorded, also when it no longer runs); null without a status file.</summary>
    public int? ProcessId { get; init; }

    /// <summary>Version of the host that wrote the status, e.g. <c>0.1.0</c>.</summary>
    public string? Version { get; init; }

    /// <summary>When the host process started (UTC).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>How long the host has been running; null when it does not run.</summary>
    public TimeSpan? Uptime { get; init; }

    /// <summary>When the host last wrote its status (UTC).</summary>
    public DateTimeOffset? HeartbeatAt { get; init; }

    /// <summary>The heartbeat interval the host announced (default 15 s).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = NodeStatusFile.DefaultHeartbeatInterval;

    /// <summary>The host's exit code once it stopped (<see cref="NodeHostExitCodes"/>), else null.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The device id (64 hex), which is the gateway's node id; from the status file, else <c>identity/device.json</c>.</summary>
    public string? DeviceId { get; init; }

    /// <summary>The display name the host sends.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Full path of <c>node-status.json</c>.</summary>
    public string StatusFile { get; init; } = string.Empty;

    /// <summary>Why the status file could not be used, or null.</summary>
    public string? StatusFileError { get; init; }

    /// <summary>Why the host is in its <see cref="State"/>, one sentence.</summary>
    public string Reason { get; init; } = string.Empty;
}

/// <summary>The gateway the node uses. Never holds a token.</summary>
public sealed record NodeStatusGateway
{
    /// <summary>Gateway URL, e.g. <c>wss://gw.example.com:18789/</c>; null when unknown.</summary>
    public string? Url { get; init; }

    /// <summary>True for <c>wss://</c>.</summary>
    public bool Tls { get; init; }

    /// <summary>Pinned SHA-256 certificate fingerprint (64 lowercase hex; public, not a secret), or null.</summary>
    public string? TlsFingerprint { get; init; }
}

/// <summary>The host's connection to the gateway.</summary>
public sealed record NodeStatusConnection
{
    /// <summary>True when a running host holds an accepted gateway connection (state Connected or AwaitingApproval).</summary>
    public bool Connected { get; init; }

    /// <summary>The running host's connection state; null when the host does not run.</summary>
    public NodeConnectionState? State { get; init; }

    /// <summary>The last state the host published (also after it ended), or null without a status file.</summary>
    public NodeConnectionState? LastKnownState { get; init; }

    /// <summary>The sentence the host published with its last state change.</summary>
    public string? Message { get; init; }

    /// <summary>Since when the current connection is up (UTC); null when not connected.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Connection attempts that failed since the host was last connected (0 while connected).</summary>
    public int ReconnectAttempts { get; init; }

    /// <summary>Established connections lost since the host started (gateway restarts, network drops).</summary>
    public int Disconnects { get; init; }

    /// <summary>The last error since the host started (kept after it reconnects), or null.</summary>
    public string? LastError { get; init; }

    /// <summary>Kind of <see cref="LastError"/>: a <c>FailureKind</c> name (Unreachable, PairingRequired, AuthFailed, TlsFailure, ...), <c>Disconnected</c>, <c>Configuration</c> or <c>Failure</c>.</summary>
    public string? LastErrorKind { get; init; }

    /// <summary>When <see cref="LastError"/> happened (UTC).</summary>
    public DateTimeOffset? LastErrorAt { get; init; }
}

/// <summary>Where the node stands in the gateway's two approvals (spec §5).</summary>
public sealed record NodeStatusPairing
{
    /// <summary>True once the gateway accepted this device (hello-ok, or a stored device token); false while a device pairing request is pending; null when unknown.</summary>
    public bool? DeviceApproved { get; init; }

    /// <summary>True when the gateway accepts the node's declared commands; false while they await <c>openclaw nodes approve</c>; null when not known yet.</summary>
    public bool? CommandSurfaceApproved { get; init; }

    /// <summary>The pending device pairing request id, while the device waits for approval.</summary>
    public string? PendingRequestId { get; init; }

    /// <summary>True when <c>node.json</c> holds a device token (its value is never read out).</summary>
    public bool DeviceTokenStored { get; init; }
}

/// <summary>The effective local exec policy of the default agent (<see cref="AgentId"/>).</summary>
public sealed record NodeStatusPolicy
{
    /// <summary>The agent whose policy this is: <c>main</c>, the OpenClaw default agent.</summary>
    public string AgentId { get; init; } = NodeStatusReader.DefaultAgentId;

    /// <summary>Effective security mode; null when the file is unusable (then every command is denied).</summary>
    public ExecSecurity? Security { get; init; }

    /// <summary>Effective ask mode; null when the file is unusable.</summary>
    public ExecAsk? Ask { get; init; }

    /// <summary>Effective ask fallback; null when the file is unusable.</summary>
    public ExecSecurity? AskFallback { get; init; }

    /// <summary>Where the security mode comes from, e.g. <c>defaults.security</c> or <c>the built-in default</c>.</summary>
    public string? Source { get; init; }

    /// <summary>True when <c>exec-approvals.json</c> exists.</summary>
    public bool FileExists { get; init; }

    /// <summary>Full path of <c>exec-approvals.json</c>.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>Why the file is unusable (the node denies everything until it is fixed), or null.</summary>
    public string? Error { get; init; }
}

/// <summary>
/// One answer to "is this node healthy", composed by <see cref="NodeStatusReader.Read"/> from the service manager, the
/// host's <c>node-status.json</c>, <c>node.json</c> and <c>exec-approvals.json</c>. Never holds a token.
/// </summary>
public sealed record NodeStatus
{
    /// <summary>When the status was read (UTC).</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>The state directory (full path).</summary>
    public string StateDirectory { get; init; } = string.Empty;

    /// <summary>
    /// True when the host runs, is connected, the gateway serves its commands (state Connected, command surface not
    /// awaiting approval) and the exec-approvals file is usable. The service state does not enter: a host run in the
    /// foreground is healthy too.
    /// </summary>
    public bool Healthy { get; init; }

    /// <summary>True when a running host holds an accepted gateway connection (<see cref="NodeStatusConnection.Connected"/>).</summary>
    public bool Connected => Connection.Connected;

    /// <summary>One line that says what is going on and, when not healthy, what to do.</summary>
    public string Summary { get; init; } = string.Empty;

    /// <summary>What the service manager reports (<see cref="NodeServiceState.NotInstalled"/> without a probe).</summary>
    public NodeServiceState Service { get; init; } = NodeServiceState.NotInstalled;

    /// <summary>The host process.</summary>
    public NodeStatusHost Host { get; init; } = new();

    /// <summary>The gateway.</summary>
    public NodeStatusGateway Gateway { get; init; } = new();

    /// <summary>The connection.</summary>
    public NodeStatusConnection Connection { get; init; } = new();

    /// <summary>Pairing.</summary>
    public NodeStatusPairing Pairing { get; init; } = new();

    /// <summary>The exec policy of the default agent.</summary>
    public NodeStatusPolicy Policy { get; init; } = new();

    /// <summary>The machine policy (<c>/etc/openclaw/policy.json</c>, <c>HKLM:\SOFTWARE\Policies\OpenClaw</c>, <c>OPENCLAW_POLICY_FILE</c>).</summary>
    public NodeStatusMachinePolicy MachinePolicy { get; init; } = new();

    /// <summary>Exit code of <c>openclaw-node status</c>: 0 healthy, 1 the host runs but is not healthy, 3 the host does not run.</summary>
    public int ExitCode => Healthy ? 0 : Host.Running ? 1 : 3;

    /// <summary>
    /// The <c>openclaw-node status --json</c> document (timestamps ISO 8601 UTC, durations in seconds, absent values null):
    /// <c>{healthy, connected, summary, checkedAt, stateDirectory, exitCode,
    /// service:{installed, manager, name, scope, running, pid, definitionPath},
    /// host:{state, running, pid, version, startedAt, uptimeSeconds, heartbeatAt, heartbeatIntervalSeconds, exitCode, deviceId, displayName, statusFile, statusFileError, reason},
    /// gateway:{url, tls, tlsFingerprint},
    /// connection:{connected, state, lastKnownState, message, since, reconnectAttempts, disconnects, lastError:{message, kind, at}|null},
    /// pairing:{deviceApproved, commandSurfaceApproved, pendingRequestId, deviceTokenStored},
    /// policy:{agentId, security, ask, askFallback, source, fileExists, path, error},
    /// machinePolicy:{inForce, sources:[...], summary, error}}</c>.
    /// </summary>
    public JsonObject ToJson() => new()
    {
        ["healthy"] = Healthy,
        ["connected"] = Connected,
        ["summary"] = Summary,
        ["checkedAt"] = Iso(CheckedAt),
        ["stateDirectory"] = StateDirectory,
        ["exitCode"] = ExitCode,
        ["service"] = new JsonObject
        {
            ["installed"] = Service.Installed,
            ["manager"] = Service.Manager.ToString(),
            ["name"] = Service.Name,
            ["scope"] = Service.Scope,
            ["running"] = Service.Running,
            ["pid"] = Service.ProcessId,
            ["definitionPath"] = Service.DefinitionPath,
        },
        ["host"] = new JsonObject
        {
            ["state"] = Host.State.ToString(),
            ["running"] = Host.Running,
            ["pid"] = Host.ProcessId,
            ["version"] = Host.Version,
            ["startedAt"] = Iso(Host.StartedAt),
            ["uptimeSeconds"] = Host.Uptime is TimeSpan u ? Math.Floor(u.TotalSeconds) : null,
            ["heartbeatAt"] = Iso(Host.HeartbeatAt),
            ["heartbeatIntervalSeconds"] = Host.HeartbeatInterval.TotalSeconds,
            ["exitCode"] = Host.ExitCode,
            ["deviceId"] = Host.DeviceId,
            ["displayName"] = Host.DisplayName,
            ["statusFile"] = Host.StatusFile,
            ["statusFileError"] = Host.StatusFileError,
            ["reason"] = Host.Reason,
        },
        ["gateway"] = new JsonObject { ["url"] = Gateway.Url, ["tls"] = Gateway.Tls, ["tlsFingerprint"] = Gateway.TlsFingerprint },
        ["connection"] = new JsonObject
        {
            ["connected"] = Connection.Connected,
            ["state"] = Connection.State?.ToString(),
            ["lastKnownState"] = Connection.LastKnownState?.ToString(),
            ["message"] = Connection.Message,
            ["since"] = Iso(Connection.Since),
            ["reconnectAttempts"] = Connection.ReconnectAttempts,
            ["disconnects"] = Connection.Disconnects,
            ["lastError"] = Connection.LastError is null ? null : new JsonObject
            {
                ["message"] = Connection.LastError,
                ["kind"] = Connection.LastErrorKind,
                ["at"] = Iso(Connection.LastErrorAt),
            },
        },
        ["pairing"] = new JsonObject
        {
            ["deviceApproved"] = Pairing.DeviceApproved,
            ["commandSurfaceApproved"] = Pairing.CommandSurfaceApproved,
            ["pendingRequestId"] = Pairing.PendingRequestId,
            ["deviceTokenStored"] = Pairing.DeviceTokenStored,
        },
        ["policy"] = new JsonObject
        {
            ["agentId"] = Policy.AgentId,
            ["security"] = Policy.Security is ExecSecurity s ? ExecModeNames.Name(s) : null,
            ["ask"] = Policy.Ask is ExecAsk a ? ExecModeNames.Name(a) : null,
            ["askFallback"] = Policy.AskFallback is ExecSecurity f ? ExecModeNames.Name(f) : null,
            ["source"] = Policy.Source,
            ["fileExists"] = Policy.FileExists,
            ["path"] = Policy.Path,
            ["error"] = Policy.Error,
        },
        ["machinePolicy"] = MachinePolicy.ToJson(),
    };

    private static JsonNode? Iso(DateTimeOffset? t) => t is DateTimeOffset v ? JsonValue.Create(NodeStatusFile.Iso(v)) : null;

    /// <summary>Formats a duration for summaries: <c>45s</c>, <c>12m</c>, <c>3h05m</c>, <c>2d04h</c>.</summary>
    internal static string Short(TimeSpan t)
    {
        if (t < TimeSpan.Zero) { t = TimeSpan.Zero; }
        if (t.TotalMinutes < 1) { return ((int)t.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"; }
        if (t.TotalHours < 1) { return ((int)t.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m"; }
        if (t.TotalDays < 1) { return string.Format(CultureInfo.InvariantCulture, "{0}h{1:00}m", (int)t.TotalHours, t.Minutes); }
        return string.Format(CultureInfo.InvariantCulture, "{0}d{1:00}h", (int)t.TotalDays, t.Hours);
    }
}
