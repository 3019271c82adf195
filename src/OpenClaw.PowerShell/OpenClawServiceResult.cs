using System;
using System.Linq;
using OpenClaw.Node.Service;

namespace OpenClaw.PowerShell;

/// <summary>
/// The outcome of Install-, Uninstall-, Stop-, Restart-OpenClawNode and Start-OpenClawNode -Service: the official CLI's
/// action/ok/result envelope plus what the service manager reports. Carries no secrets.
/// </summary>
public sealed class OpenClawServiceResult
{
    internal OpenClawServiceResult(NodeServiceResult r)
    {
        Action = r.Action;
        Ok = r.Ok;
        Result = r.Result;
        Message = r.Message;
        Installed = r.Service.Installed;
        Running = r.Service.Running;
        ProcessId = r.Service.ProcessId;
        LastExitCode = r.Service.LastExitCode;
        Manager = r.Service.Manager.ToString();
        ServiceName = r.Service.Name;
        Scope = r.Service.Scope;
        DefinitionPath = r.DefinitionPath;
        ConnectionState = r.ConnectionState;
        Warnings = r.Warnings.ToArray();
        Hints = r.Hints.ToArray();
        Files = r.Files.Select(f => new OpenClawServiceFile(f)).ToArray();
        Commands = r.Commands.ToArray();
    }

    /// <summary>install, uninstall, start, stop or restart.</summary>
    public string Action { get; }

    /// <summary>False when the operation could not be done (for example starting with nothing installed).</summary>
    public bool Ok { get; }

    /// <summary>installed, already-installed, not-running, uninstalled, not-installed, started, stopped, not-loaded, restarted, or would-… under -WhatIf.</summary>
    public string Result { get; }

    /// <summary>One sentence describing the outcome.</summary>
    public string Message { get; }

    /// <summary>True when a service definition exists after the operation.</summary>
    public bool Installed { get; }

    /// <summary>True when the manager reports the service running.</summary>
    public bool Running { get; }

    /// <summary>The host's process id while running.</summary>
    public int? ProcessId { get; }

    /// <summary>Exit code of the last run when the service is not running (74: state directory not writable, 77: credentials rejected, 78: configuration unusable).</summary>
    public int? LastExitCode { get; }

    /// <summary>Systemd, ScheduledTask, WindowsService, Launchd, or None.</summary>
    public string Manager { get; }

    /// <summary>The service's name as the manager knows it.</summary>
    public string? ServiceName { get; }

    /// <summary>User or System.</summary>
    public string? Scope { get; }

    /// <summary>The unit file, task XML copy, plist, or the Windows service's registry key.</summary>
    public string? DefinitionPath { get; }

    /// <summary>After Install/Start/Restart: the node host's connection state once it settled (Connected, PairingRequired, AwaitingApproval, or the last state seen within 30 s).</summary>
    public string? ConnectionState { get; }

    /// <summary>Things to know, each with its fix (for example lingering off).</summary>
    public string[] Warnings { get; }

    /// <summary>Commands that fix a failed operation.</summary>
    public string[] Hints { get; }

    /// <summary>Files written, removed or (under -WhatIf) that would be written. Secret files show a placeholder.</summary>
    public OpenClawServiceFile[] Files { get; }

    /// <summary>Service-manager commands that ran; never contain the token.</summary>
    public string[] Commands { get; }
}

/// <summary>A file of a service install. For the token file, Text is a placeholder; the token is never shown.</summary>
public sealed class OpenClawServiceFile
{
    internal OpenClawServiceFile(NodeServiceFile f)
    {
        Path = f.Path;
        Secret = f.Secret;
        Text = f.Text;
    }

    /// <summary>Full path.</summary>
    public string Path { get; }

    /// <summary>True for the owner-only token file.</summary>
    public bool Secret { get; }

    /// <summary>The exact definition text, or a placeholder for a secret or removed file.</summary>
    public string Text { get; }

    /// <summary>The path.</summary>
    public override string ToString() => Path;
}
