using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Approves pending pairing requests (device pairing or command surface).</para>
/// <para type="description">With -IncludeCommandSurface, approving a device request also waits for the node to
/// reconnect and approves its command surface, so a fleet script needs one pipeline.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Approve, "OpenClawNodeRequest", DefaultParameterSetName = ById, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(OpenClawNodeRequest))]
public sealed class ApproveOpenClawNodeRequestCommand : NodeRequestCmdlet
{
    /// <summary>After a device approval, wait for the node's command-surface request and approve it too.</summary>
    [Parameter]
    public SwitchParameter IncludeCommandSurface { get; set; }

    /// <summary>How long -IncludeCommandSurface waits for the node to come back, in seconds (default 60).</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 60;

    /// <summary>Approves each request; a failure is a non-terminating error for that request only.</summary>
    protected override void ProcessRecord()
    {
        foreach (NodeRequestInfo request in Targets())
        {
            string what = $"{request.DisplayName ?? request.NodeId} ({request.Kind} request {request.RequestId})" +
                (request.Commands.Count > 0 ? ": " + string.Join(", ", request.Commands) : string.Empty);
            if (!ShouldProcess(what, "Approve")) { continue; }
            try
            {
                RunAsync(async ct => { await Client.ApproveAsync(request, ct).ConfigureAwait(false); return true; });
                WriteVerbose($"Approved {request.Kind} request {request.RequestId} for {request.DisplayName ?? request.NodeId}.");
                if (PassThru) { WriteObject(new OpenClawNodeRequest(request, GatewayName)); }
                if (IncludeCommandSurface && request.Kind == NodeRequestKind.Device)
                {
                    NodeRequestInfo? surface = RunAsync(ct => Client.WaitForCommandSurfaceRequestAsync(request.NodeId, TimeSpan.FromSeconds(TimeoutSec), ct));
                    if (surface is null)
                    {
                        WriteError(Errors.SurfaceNotSeen(request.NodeId, TimeoutSec));
                        continue;
                    }
                    string surfaceWhat = $"{surface.DisplayName ?? surface.NodeId} (CommandSurface request {surface.RequestId}): {string.Join(", ", surface.Commands)}";
                    if (!ShouldProcess(surfaceWhat, "Approve")) { continue; }
                    RunAsync(async ct => { await Client.ApproveAsync(surface, ct).ConfigureAwait(false); return true; });
                    WriteVerbose($"Approved the command surface of {surface.DisplayName ?? surface.NodeId}.");
                    if (PassThru) { WriteObject(new OpenClawNodeRequest(surface, GatewayName)); }
                }
            }
            catch (GatewayException ex)
            {
                WriteError(Errors.FromGateway(ex, request.RequestId));
            }
        }
    }

}
