using System;
using System.Management.Automation;
using OpenClaw.Node.Service;
using OpenClaw.Node.State;

namespace OpenClaw.PowerShell;

/// <summary>Shared parts of the service cmdlets: -Scope, the controller, result output and error mapping.</summary>
public abstract class ServiceCmdlet : OpenClawCmdlet
{
    /// <summary>User (default): systemd user unit, per-user Scheduled Task, LaunchAgent. System: systemd system unit or boot-start Windows service (root/Administrator).</summary>
    [Parameter]
    [ValidateSet("User", "System")]
    public string Scope { get; set; } = "User";

    internal NodeServiceScope ServiceScope => string.Equals(Scope, "System", StringComparison.OrdinalIgnoreCase) ? NodeServiceScope.System : NodeServiceScope.User;

    /// <summary>Runs one operation for this cmdlet's scope (see <see cref="ServiceOutput.Perform"/>).</summary>
    internal void Perform(string target, string action, Func<NodeServiceController, bool, NodeServiceResult> op) =>
        ServiceOutput.Perform(this, ServiceScope, target, action, op);
}

/// <summary>Runs a service operation on behalf of a cmdlet and writes its result, warnings and errors.</summary>
internal static class ServiceOutput
{
    /// <summary>Under -WhatIf writes the would-… result; otherwise the result, each warning, and for ok=false a non-terminating error.</summary>
    internal static void Perform(PSCmdlet cmdlet, NodeServiceScope scope, string target, string action, Func<NodeServiceController, bool, NodeServiceResult> op)
    {
        NodeServiceController c;
        try { c = NodeServiceController.ForCurrentPlatform(scope); }
        catch (NodeServiceException ex) { cmdlet.ThrowTerminatingError(Errors.Service(ex)); return; }
        try
        {
            if (!cmdlet.ShouldProcess(target, action, action, out ShouldProcessReason reason))
            {
                if (reason == ShouldProcessReason.WhatIf) { cmdlet.WriteObject(new OpenClawServiceResult(op(c, true))); }
                return;
            }
            NodeServiceResult r = op(c, false);
            foreach (string w in r.Warnings) { cmdlet.WriteWarning(w); }
            if (!r.Ok) { cmdlet.WriteError(Errors.ServiceOperationFailed(r)); }
            cmdlet.WriteObject(new OpenClawServiceResult(r));
        }
        catch (NodeServiceException ex) { cmdlet.WriteError(Errors.Service(ex)); }
        catch (StateFileException ex) { cmdlet.WriteError(new ErrorRecord(ex, "ServiceFileWriteFailed", ErrorCategory.WriteError, ex.Path)); }
        catch (ArgumentException ex) { cmdlet.WriteError(new ErrorRecord(ex, "InvalidServiceSettings", ErrorCategory.InvalidArgument, null)); }
    }
}
