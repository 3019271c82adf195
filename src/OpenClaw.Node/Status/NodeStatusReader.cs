using System;
using System.IO;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.Service;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Status;

/// <summary>
/// Reads the status of the node of one state directory (<c>Get-OpenClawNodeStatus</c>, <c>openclaw-node status</c>):
/// local files and the operating system only, never the network or a token. A host is reported as running only when
/// its recorded process is alive, started at the recorded time (so a reused pid is not mistaken for it) and refreshed
/// its status within three heartbeat intervals; a status file left behind by a killed host therefore reads as
/// <see cref="NodeHostState.Dead"/>, never as connected. Never throws for missing, corrupt or unsafe files.
/// </summary>
public static class NodeStatusReader
{
    /// <summary>The agent whose exec policy the status reports: <c>main</c>, the OpenClaw default agent.</summary>
    public const string DefaultAgentId = "main";

    private sealed class NotInstalledProbe : INodeServiceProbe
    {
        public NodeServiceState Query(string stateDirectory) => NodeServiceState.NotInstalled;
    }

    /// <summary>Composes the status of the node in <paramref name="stateDirectory"/>.</summary>
    /// <param name="stateDirectory">State directory; null means <c>$OPENCLAW_STATE_DIR</c>, else <c>~/.openclaw</c>.</param>
    /// <param name="probe">Asks the service manager; null reports <see cref="NodeServiceState.NotInstalled"/>.</param>
    /// <param name="now">The time to judge heartbeats against (tests); null means now.</param>
    /// <param name="policyFile">
    /// The additional machine-policy file the node runs with (what its <c>OPENCLAW_POLICY_FILE</c> names); null reads this
    /// process's <c>OPENCLAW_POLICY_FILE</c>. The machine-wide source (registry / /etc/openclaw/policy.json) always applies.
    /// </param>
    public static NodeStatus Read(string? stateDirectory, INodeServiceProbe? probe = null, DateTimeOffset? now = null, string? policyFile = null)
    {
        string dir = StateDirectory.Resolve(stateDirectory);
        DateTimeOffset at = now ?? DateTimeOffset.UtcNow;

        NodeServiceState service;
        try { service = (probe ?? new NotInstalledProbe()).Query(dir) ?? NodeServiceState.NotInstalled; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            service = NodeServiceState.NotInstalled;
        }

        // node.json: the saved gateway and whether a device token is stored (its value is never read out).
        GatewaySettings? savedGateway = null;
        bool tokenStored = false;
        string? configError = null;
        try
        {
            NodeConfig? config = new NodeStateStore(dir).LoadConfig();
            savedGateway = config?.Gateway;
            tokenStored = !string.IsNullOrEmpty(config?.Token);
        }
        catch (Exception ex) when (ex is StateFileException or IOException or UnauthorizedAccessException)
        {
            configError = ex.Message;
        }

        string statusPath = Path.Combine(dir, NodeStatusFile.FileName);
        NodeStatusFile? file = null;
        string? fileError = null;
        try
        {
            string? text = SecureFile.ReadAllTextOrNull(statusPath);
            if (text is not null) { file = NodeStatusFile.Parse(text); }
        }
        catch (FormatException ex) { fileError = $"'{statusPath}' is unusable: {ex.Message}. The host rewrites it when it starts; delete it if no host runs."; }
        catch (Exception ex) when (ex is StateFileException or IOException or UnauthorizedAccessException)
        {
            fileError = ex.Message;
        }

        NodeStatusHost host = JudgeHost(file, fileError, statusPath, at, dir);
        bool running = host.Running;
        NodeConnectionState? last = file is not null && Enum.TryParse(file.State, out NodeConnectionState st) ? st : null;
        NodeConnectionState? current = running ? last : null;
        bool connected = current is NodeConnectionState.Connected or NodeConnectionState.AwaitingApproval;

        var connection = new NodeStatusConnection
        {
            Connected = connected,
            State = current,
            LastKnownState = last,
            Message = file?.Message,
            Since = connected ? file!.ConnectedSince : null,
            ReconnectAttempts = file?.ReconnectAttempts ?? 0,
            Disconnects = file?.Disconnects ?? 0,
            LastError = file?.LastErrorMessage,
            LastErrorKind = file?.LastErrorKind,
            LastErrorAt = file?.LastErrorAt,
        };

        NodeStatusGateway gateway;
        if (file?.GatewayUrl is string url)
        {
            gateway = new NodeStatusGateway { Url = url, Tls = file.Tls, TlsFingerprint = file.TlsFingerprint };
        }
        else if (savedGateway is not null)
        {
            string? savedUrl;
            try { savedUrl = GatewayEndpoint.ToUri(savedGateway).ToString(); }
            catch (UriFormatException) { savedUrl = null; }
            gateway = new NodeStatusGateway { Url = savedUrl, Tls = savedGateway.Tls, TlsFingerprint = savedGateway.TlsFingerprint };
        }
        else
        {
            gateway = new NodeStatusGateway();
        }

        var pairing = new NodeStatusPairing
        {
            DeviceApproved = file?.DeviceApproved ?? (tokenStored ? true : null),
            CommandSurfaceApproved = file?.CommandSurfaceApproved,
            PendingRequestId = file?.DeviceApproved == false ? file.PendingRequestId : null,
            DeviceTokenStored = tokenStored,
        };

        Policy.MachinePolicy machine = Policy.MachinePolicyLoader.Load(policyFile);
        NodeStatusPolicy policy = ReadPolicy(dir, machine);
        bool healthy = running && current == NodeConnectionState.Connected && pairing.CommandSurfaceApproved != false && policy.Error is null && machine.Error is null;

        var status = new NodeStatus
        {
            CheckedAt = at,
            StateDirectory = dir,
            Healthy = healthy,
            Service = service,
            Host = host,
            Gateway = gateway,
            Connection = connection,
            Pairing = pairing,
            Policy = policy,
            MachinePolicy = NodeStatusMachinePolicy.From(machine),
        };
        return status with { Summary = Summarise(status, configError) };
    }

    private static NodeStatusHost JudgeHost(NodeStatusFile? file, string? fileError, string statusPath, DateTimeOffset now, string dir)
    {
        if (file is null)
        {
            return new NodeStatusHost
            {
                State = fileError is null ? NodeHostState.NotRunning : NodeHostState.Unknown,
                StatusFile = statusPath,
                StatusFileError = fileError,
                DeviceId = ReadDeviceId(dir),
                Reason = fileError ?? $"No node host has run with the state directory '{dir}' (no {NodeStatusFile.FileName}).",
            };
        }
        var interval = TimeSpan.FromSeconds(file.HeartbeatIntervalSeconds);
        NodeHostState state;
        string reason;
        if (file.State == nameof(NodeConnectionState.Stopped))
        {
            state = NodeHostState.Stopped;
            reason = $"The node host (pid {file.Pid}) stopped on request at {When(file.StateSince)}.";
        }
        else if (file.State == nameof(NodeConnectionState.Failed))
        {
            state = NodeHostState.Failed;
            reason = $"The node host (pid {file.Pid}) stopped at {When(file.StateSince)} with exit code {file.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}: {file.LastErrorMessage ?? file.Message}";
        }
        else
        {
            ProcessCheck check = ProcessProbe.Check(file.Pid, file.ProcessStartedAt, file.ProcessStartTicks);
            TimeSpan? age = file.HeartbeatAt is DateTimeOffset hb ? now - hb : null;
            bool stale = age is null || age.Value > TimeSpan.FromTicks(interval.Ticks * NodeStatusFile.StaleAfterIntervals);
            switch (check)
            {
                case ProcessCheck.Gone:
                    state = NodeHostState.Dead;
                    reason = $"The node host (pid {file.Pid}) is gone: it ended without a clean stop (killed or crashed); its last heartbeat was at {When(file.HeartbeatAt)}.";
                    break;
                case ProcessCheck.Reused:
                    state = NodeHostState.Dead;
                    reason = $"The node host (pid {file.Pid}) is gone: the pid now belongs to another process; its last heartbeat was at {When(file.HeartbeatAt)}.";
                    break;
                default:
                    if (!stale)
                    {
                        state = NodeHostState.Running;
                        reason = $"The node host (pid {file.Pid}) is running.";
                    }
                    else if (check == ProcessCheck.Same)
                    {
                        state = NodeHostState.Unresponsive;
                        reason = $"The node host (pid {file.Pid}) is alive but has not refreshed its status since {When(file.HeartbeatAt)} (heartbeat every {NodeStatus.Short(interval)}): it is hung; restart it.";
                    }
                    else
                    {
                        state = NodeHostState.Dead;
                        reason = $"The node host (pid {file.Pid}) has not refreshed its status since {When(file.HeartbeatAt)}, and the process with that pid cannot be verified as the host.";
                    }
                    break;
            }
        }
        bool running = state == NodeHostState.Running;
        return new NodeStatusHost
        {
            State = state,
            ProcessId = file.Pid,
            Version = file.HostVersion,
            StartedAt = file.ProcessStartedAt,
            Uptime = running && file.ProcessStartedAt is DateTimeOffset s ? (now - s < TimeSpan.Zero ? TimeSpan.Zero : now - s) : null,
            HeartbeatAt = file.HeartbeatAt,
            HeartbeatInterval = interval,
            ExitCode = file.ExitCode,
            DeviceId = file.DeviceId ?? ReadDeviceId(dir),
            DisplayName = file.DisplayName,
            StatusFile = statusPath,
            Reason = reason,
        };
    }

    private static string When(DateTimeOffset? t) => t is DateTimeOffset v ? NodeStatusFile.Iso(v) : "an unknown time";

    /// <summary>The <c>deviceId</c> of <c>identity/device.json</c> (the public id only; the key is not parsed).</summary>
    private static string? ReadDeviceId(string dir)
    {
        try
        {
            string? text = SecureFile.ReadAllTextOrNull(Path.Combine(dir, "identity", "device.json"));
            return text is null ? null : Json.ParseOrNull(text).Str("deviceId");
        }
        catch (Exception ex) when (ex is StateFileException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static NodeStatusPolicy ReadPolicy(string dir, Policy.MachinePolicy machine)
    {
        ExecApprovalsSnapshot snap = new ExecApprovalsStore(dir).Load();
        if (snap.Effective is not ExecApprovalsDocument doc)
        {
            return new NodeStatusPolicy { FileExists = snap.Exists, Path = snap.Path, Error = snap.Error };
        }
        EffectivePolicy p = machine.Clamp(EffectivePolicy.Resolve(doc, DefaultAgentId));
        return new NodeStatusPolicy
        {
            Security = p.Security,
            Ask = p.Ask,
            AskFallback = p.AskFallback,
            Source = p.SecuritySource,
            FileExists = snap.Exists,
            Path = snap.Path,
        };
    }

    private static string Summarise(NodeStatus s, string? configError)
    {
        string gw = s.Gateway.Url ?? "the gateway";
        string who = s.Host.DisplayName is string n ? $"'{n}'" : "this node";
        string policyNote = s.Policy.Error is not null
            ? $" The exec-approvals file is unusable: {s.Policy.Error}"
            : string.Empty;
        if (s.MachinePolicy.Error is string mp) { policyNote += " The machine policy is unusable: " + mp; }
        if (s.Healthy)
        {
            string since = s.Connection.Since is DateTimeOffset c ? $" for {NodeStatus.Short(s.CheckedAt - c)}" : string.Empty;
            return $"Healthy: {who} is connected to {gw}{since} (host pid {s.Host.ProcessId}, up {NodeStatus.Short(s.Host.Uptime ?? TimeSpan.Zero)}); exec policy for agent '{s.Policy.AgentId}': security={Mode(s.Policy.Security)}, ask={Mode(s.Policy.Ask)}.";
        }
        if (s.Host.Running)
        {
            switch (s.Connection.State)
            {
                case NodeConnectionState.AwaitingApproval:
                    return $"Not healthy: connected to {gw}, but the gateway has not approved this node's commands yet: run 'openclaw nodes pending' and 'openclaw nodes approve <requestId>' (or Approve-OpenClawNodeRequest).";
                case NodeConnectionState.PairingRequired:
                    string id = s.Pairing.PendingRequestId ?? "<requestId>";
                    return $"Not healthy: waiting for the gateway to approve this device (pairing request {s.Pairing.PendingRequestId ?? "unknown"}): run 'openclaw devices approve {id}' (or Approve-OpenClawNodeRequest); the node connects by itself once approved.";
                case NodeConnectionState.Connected:
                    return "Not healthy: connected to " + gw + "." + policyNote;
                default:
                    string err = s.Connection.LastError is string e ? $" Last error: {e}" : string.Empty;
                    return $"Not healthy: not connected to {gw} ({s.Connection.State?.ToString() ?? "unknown state"}, {s.Connection.ReconnectAttempts} failed attempt(s) since the last connection).{err}";
            }
        }
        string serviceNote = s.Service.Installed
            ? s.Service.Running
                ? $" The service {s.Service.Name ?? s.Service.Manager.ToString()} reports running but no host publishes its status here: check that it uses this state directory."
                : $" The service {s.Service.Name ?? s.Service.Manager.ToString()} is installed but not running."
            : string.Empty;
        string configNote = configError is null ? string.Empty : " " + configError;
        return "Not running: " + s.Host.Reason + serviceNote + configNote;
    }

    private static string Mode(ExecSecurity? v) => v is ExecSecurity x ? ExecModeNames.Name(x) : "?";

    private static string Mode(ExecAsk? v) => v is ExecAsk x ? ExecModeNames.Name(x) : "?";
}
