using System.Management.Automation;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Restarts the OpenClaw node service and checks that it keeps running.</para>
/// <para type="description">With nothing installed it writes a ServiceNotInstalled error with the install hint.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "OpenClawNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OpenClawServiceResult))]
public sealed class RestartOpenClawNodeCommand : ServiceCmdlet
{
    /// <summary>Restarts.</summary>
    protected override void EndProcessing() => Perform("node service (" + Scope + ")", "Restart the service", (c, whatIf) => c.Restart(whatIf));
}
