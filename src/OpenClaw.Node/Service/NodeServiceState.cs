using System;

namespace OpenClaw.Node.Service;

/// <summary>The service manager that runs the node host unattended.</summary>
public enum NodeServiceManager
{
    /// <summary>No service is installed for this state directory.</summary>
    None,
    /// <summary>A systemd unit (<c>openclaw-node.service</c>), user or system scope.</summary>
    Systemd,
    /// <summary>A per-user Windows Scheduled Task.</summary>
    ScheduledTask,
    /// <summary>A boot-start Windows service.</summary>
    WindowsService,
    /// <summary>A macOS launchd agent (<c>ai.openclaw.node</c>).</summary>
    Launchd,
}

/// <summary>What the service manager says about the installed node service. Never carries tokens.</summary>
public sealed record NodeServiceState
{
    /// <summary>True when a service definition for the node host exists.</summary>
    public bool Installed { get; init; }

    /// <summary>The manager that owns the definition (<see cref="NodeServiceManager.None"/> when nothing is installed).</summary>
    public NodeServiceManager Manager { get; init; }

    /// <summary>The service's name as the manager knows it (unit name, task path, service name or launchd label).</summary>
    public string? Name { get; init; }

    /// <summary><c>User</c> or <c>System</c>; null when nothing is installed.</summary>
    public string? Scope { get; init; }

    /// <summary>True when the manager reports the service as running.</summary>
    public bool Running { get; init; }

    /// <summary>The main process id the manager reports, if running.</summary>
    public int? ProcessId { get; init; }

    /// <summary>Full path of the definition file (unit file, task XML export, plist), if there is one.</summary>
    public string? DefinitionPath { get; init; }

    /// <summary>Exit code of the service's last run when it is not running and the manager knows it (for example 78: configuration error, 77: authentication failed); else null.</summary>
    public int? LastExitCode { get; init; }

    /// <summary>The state when nothing is installed.</summary>
    public static NodeServiceState NotInstalled { get; } = new() { Manager = NodeServiceManager.None };
}

/// <summary>
/// Asks the platform's service manager about the node service of one state directory. The status operation
/// (<c>Get-OpenClawNodeStatus</c>, <c>openclaw-node status</c>) calls it; the service code implements it.
/// Implementations never throw: a manager that cannot be asked yields <see cref="NodeServiceState.NotInstalled"/>
/// or a state whose fields say what is known.
/// </summary>
public interface INodeServiceProbe
{
    /// <summary>Queries the manager for the service that runs the host of <paramref name="stateDirectory"/> (absolute path).</summary>
    NodeServiceState Query(string stateDirectory);
}
