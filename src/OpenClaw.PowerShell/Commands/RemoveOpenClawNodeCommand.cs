using System;
using System.Collections.Generic;
using System.Management.Automation;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using OpenClaw.PowerShell.Completion;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Removes nodes from the gateway: their pairing is revoked and their connection closed.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "OpenClawNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveOpenClawNodeCommand : OperatorCmdlet
{
    private IReadOnlyList<NodeInfo>? _nodes;

    /// <summary>Node ids, names or id prefixes (6+ characters).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("NodeId", "Name")]
    [ArgumentCompleter(typeof(OpenClawNodeCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>Removes each node; a failure is a non-terminating error for that node only.</summary>
    protected override void ProcessRecord()
    {
        try { _nodes ??= RunAsync(ct => Client.GetNodesAsync(ct)); }
        catch (GatewayException ex) { ThrowTerminatingError(Errors.FromGateway(ex, null)); return; }
        foreach (string selector in Id)
        {
            try
            {
                NodeInfo node = OperatorOperations.ResolveNode(_nodes!, selector);
                if (!ShouldProcess($"{node.DisplayName ?? "(no name)"} ({node.NodeId})", "Remove node")) { continue; }
                RunAsync(async ct => { await Client.RemoveNodeAsync(node.NodeId, ct).ConfigureAwait(false); return true; });
                WriteVerbose($"Removed {node.NodeId}.");
            }
            catch (GatewayException ex) { WriteError(Errors.FromGateway(ex, selector)); }
        }
    }
}
