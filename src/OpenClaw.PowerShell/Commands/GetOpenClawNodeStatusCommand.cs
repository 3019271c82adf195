using System.Management.Automation;
using OpenClaw.Node.Service;
using OpenClaw.Node.Status;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets one object that says whether this OpenClaw node is healthy.</para>
/// <para type="description">Reads the live status the running node host publishes in its state directory, asks the
/// service manager, and reads the exec-approvals policy. Needs neither the gateway nor a token.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "OpenClawNodeStatus")]
[OutputType(typeof(OpenClawNodeStatus))]
public sealed class GetOpenClawNodeStatusCommand : PSCmdlet
{
    /// <summary>Asks the service manager; null (the default) = the platform's own (systemd, Task Scheduler/SCM, launchd). Tests replace it.</summary>
    internal static INodeServiceProbe? ServiceProbe { get; set; }

    /// <summary>State directory. Default: $env:OPENCLAW_STATE_DIR, else ~/.openclaw.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("StateDir")]
    public string? StateDirectory { get; set; }

    /// <summary>Writes one status object per state directory.</summary>
    protected override void ProcessRecord()
    {
        string? dir = StateDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StateDirectory);
        WriteObject(new OpenClawNodeStatus(NodeStatusReader.Read(dir, ServiceProbe ?? NodeServiceProbe.ForCurrentPlatform())));
    }
}
