using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using OpenClaw.PowerShell.Completion;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the nodes the gateway knows: paired and pending, connected or not.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "OpenClawNode", DefaultParameterSetName = ByName)]
[OutputType(typeof(OpenClawNode))]
public sealed class GetOpenClawNodeCommand : OperatorCmdlet
{
    private const string ByName = nameof(ByName);
    private const string ById = nameof(ById);
    private IReadOnlyList<NodeInfo>? _nodes;

    /// <summary>Display names (wildcards allowed). Default: every node.</summary>
    [Parameter(ParameterSetName = ByName, Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(OpenClawNodeCompleter))]
    public string[] Name { get; set; } = { "*" };

    /// <summary>Node ids (device ids).</summary>
    [Parameter(ParameterSetName = ById, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("NodeId")]
    [ArgumentCompleter(typeof(OpenClawNodeCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>Lists nodes once per invocation and filters per pipeline record.</summary>
    protected override void ProcessRecord()
    {
        try { _nodes ??= RunAsync(ct => Client.GetNodesAsync(ct)); }
        catch (GatewayException ex) { ThrowTerminatingError(Errors.FromGateway(ex, null)); return; }
        foreach (string key in ParameterSetName == ById ? Id : Name)
        {
            var pattern = WildcardPattern.Get(key, WildcardOptions.IgnoreCase);
            var hits = _nodes!.Where(n => ParameterSetName == ById
                ? string.Equals(n.NodeId, key, StringComparison.OrdinalIgnoreCase)
                : pattern.IsMatch(n.DisplayName ?? string.Empty)).ToList();
            if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(key)) { WriteError(Errors.NodeNotFound(key)); }
            foreach (NodeInfo n in hits) { WriteObject(new OpenClawNode(n, GatewayName)); }
        }
    }
}
