using System.Management.Automation;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Stops the OpenClaw node service.</para>
/// <para type="description">Idempotent: stopping a stopped service succeeds (result stopped), and with nothing installed the
/// result is not-loaded. The service stays installed and starts again at its next trigger (boot, logon).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "OpenClawNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OpenClawServiceResult))]
public sealed class StopOpenClawNodeCommand : ServiceCmdlet
{
    /// <summary>Stops.</summary>
    protected override void EndProcessing() => Perform("node service (" + Scope + ")", "Stop the service", (c, whatIf) => c.Stop(whatIf));
}
