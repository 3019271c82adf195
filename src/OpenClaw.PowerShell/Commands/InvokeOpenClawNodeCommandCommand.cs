using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Collections.Specialized;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using OpenClaw.PowerShell.Completion;

namespace OpenClaw.PowerShell.Commands;

/// <summary>How Invoke-OpenClawNodeCommand returns the node's JSON payload.</summary>
public enum NodeCommandOutputType
{
    /// <summary>PSCustomObject (default).</summary>
    PSObject,
    /// <summary>Hashtable.</summary>
    Hashtable,
    /// <summary>The JSON text.</summary>
    Json,
}

/// <summary>
/// <para type="synopsis">Invokes a command on a node through the gateway (node.invoke) and returns its payload.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "OpenClawNodeCommand", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PSObject), typeof(Hashtable), typeof(string))]
public sealed class InvokeOpenClawNodeCommandCommand : OperatorCmdlet
{
    private IReadOnlyList<NodeInfo>? _nodes;

    /// <summary>Node id, name or id prefix (6+ characters).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("NodeId", "Id")]
    [ArgumentCompleter(typeof(OpenClawNodeCompleter))]
    public string Node { get; set; } = string.Empty;

    /// <summary>Command name, e.g. system.which or system.run.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = string.Empty;

    /// <summary>Command params as a hashtable or object (sent as JSON).</summary>
    [Parameter(Position = 2)]
    public object? Parameters { get; set; }

    /// <summary>Invoke deadline in seconds (default 30).</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 30;

    /// <summary>How to return the payload: PSObject (default), Hashtable or Json.</summary>
    [Parameter]
    public NodeCommandOutputType OutputType { get; set; } = NodeCommandOutputType.PSObject;

    /// <summary>Invokes the command on each piped node.</summary>
    protected override void ProcessRecord()
    {
        OrderedDictionary? parameters = null;
        if (Parameters is not null)
        {
            parameters = JsonToPowerShell.FromPowerShell(Parameters) as OrderedDictionary;
            if (parameters is null)
            {
                WriteError(new ErrorRecord(new ArgumentException("-Parameters must be a hashtable or an object."), "InvalidCommandParameters", ErrorCategory.InvalidArgument, Parameters));
                return;
            }
        }
        try
        {
            _nodes ??= RunAsync(ct => Client.GetNodesAsync(ct));
            NodeInfo node = OperatorOperations.ResolveNode(_nodes, Node);
            if (!ShouldProcess($"{node.DisplayName ?? node.NodeId}", $"Invoke {Command}")) { return; }
            InvokePayload payload = RunAsync(ct => HostInterop.InvokeAsync(Client, node.NodeId, Command, parameters, TimeoutSec * 1000, ct));
            switch (OutputType)
            {
                case NodeCommandOutputType.Json: WriteObject(payload.Json); break;
                case NodeCommandOutputType.Hashtable: WriteObject(JsonToPowerShell.ToHashtable(payload.Value)); break;
                default: WriteObject(JsonToPowerShell.ToPSObject(payload.Value)); break;
            }
        }
        catch (GatewayException ex) { WriteError(Errors.FromGateway(ex, Node)); }
    }
}
