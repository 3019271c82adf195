using System.Management.Automation;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Stops and removes the OpenClaw node service and its token file.</para>
/// <para type="description">Idempotent: with nothing installed it succeeds with the result not-installed. The state
/// directory (identity, pairing, exec approvals) is kept.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Uninstall, "OpenClawNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OpenClawServiceResult))]
public sealed class UninstallOpenClawNodeCommand : ServiceCmdlet
{
    /// <summary>Uninstalls.</summary>
    protected override void EndProcessing() => Perform("node service (" + Scope + ")", "Stop and remove the service", (c, whatIf) => c.Uninstall(whatIf));
}
