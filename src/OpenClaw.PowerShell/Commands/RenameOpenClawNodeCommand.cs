using System.Collections.Generic;
using System.Management.Automation;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using OpenClaw.PowerShell.Completion;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Sets the display name the gateway shows for a node.</para>
/// </summary>
[Cmdlet(VerbsCommon.Rename, "OpenClawNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OpenClawNode))]
public sealed class RenameOpenClawNodeCommand : OperatorCmdlet
{
    /// <summary>Node id, name or id prefix (6+ characters).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("NodeId")]
    [ArgumentCompleter(typeof(OpenClawNodeCompleter))]
    public string Id { get; set; } = string.Empty;

    /// <summary>The new display name.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string NewName { get; set; } = string.Empty;

    /// <summary>Write the renamed node.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Renames the node.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            IReadOnlyList<NodeInfo> nodes = RunAsync(ct => Client.GetNodesAsync(ct));
            NodeInfo node = OperatorOperations.ResolveNode(nodes, Id);
            if (!ShouldProcess($"{node.DisplayName ?? "(no name)"} ({node.NodeId})", $"Rename to '{NewName}'")) { return; }
            RunAsync(async ct => { await Client.RenameNodeAsync(node.NodeId, NewName, ct).ConfigureAwait(false); return true; });
            if (PassThru) { WriteObject(new OpenClawNode(node with { DisplayName = NewName }, GatewayName)); }
        }
        catch (GatewayException ex) { WriteError(Errors.FromGateway(ex, Id)); }
    }
}
