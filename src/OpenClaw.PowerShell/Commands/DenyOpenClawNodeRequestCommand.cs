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
public sealed class DenyOpenClawNodeRequestCommand : OperatorCmdlet
{
    private const string ById = nameof(ById);
    private const string ByObject = nameof(ByObject);
    private IReadOnlyList<NodeRequestInfo>? _pending;

    /// <summary>Request ids to reject.</summary>
    [Parameter(ParameterSetName = ById, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("RequestId")]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>Requests from Get-OpenClawNodeRequest.</summary>
    [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OpenClawNodeRequest[] InputObject { get; set; } = Array.Empty<OpenClawNodeRequest>();

    /// <summary>Write the rejected requests.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Rejects each request; a failure is a non-terminating error for that request only.</summary>
    protected override void ProcessRecord()
    {
        IEnumerable<NodeRequestInfo> targets;
        if (ParameterSetName == ByObject) { targets = InputObject.Select(o => o.Info); }
        else
        {
            try { _pending ??= RunAsync(ct => Client.GetRequestsAsync(ct)); }
            catch (GatewayException ex) { ThrowTerminatingError(Errors.FromGateway(ex, null)); return; }
            var found = new List<NodeRequestInfo>();
            foreach (string id in Id)
            {
                NodeRequestInfo? r = _pending!.FirstOrDefault(x => string.Equals(x.RequestId, id, StringComparison.OrdinalIgnoreCase));
                if (r is null) { WriteError(Errors.RequestNotFound(id)); } else { found.Add(r); }
            }
            targets = found;
        }
        foreach (NodeRequestInfo request in targets)
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
