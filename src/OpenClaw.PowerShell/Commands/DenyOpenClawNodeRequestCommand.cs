using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Rejects pending pairing requests (device pairing or command surface).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Deny, "OpenClawNodeRequest", DefaultParameterSetName = ById, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(OpenClawNodeRequest))]
public sealed class DenyOpenClawNodeRequestCommand : NodeRequestCmdlet
{
    /// <summary>Rejects each request; a failure is a non-terminating error for that request only.</summary>
    protected override void ProcessRecord()
    {
        foreach (NodeRequestInfo request in Targets())
        {
            if (!ShouldProcess($"{request.DisplayName ?? request.NodeId} ({request.Kind} request {request.RequestId})", "Reject")) { continue; }
            try
            {
                RunAsync(async ct => { await Client.DenyAsync(request, ct).ConfigureAwait(false); return true; });
                WriteVerbose($"Rejected {request.Kind} request {request.RequestId}.");
                if (PassThru) { WriteObject(new OpenClawNodeRequest(request, GatewayName)); }
            }
            catch (GatewayException ex)
            {
                WriteError(Errors.FromGateway(ex, request.RequestId));
            }
        }
    }
}
