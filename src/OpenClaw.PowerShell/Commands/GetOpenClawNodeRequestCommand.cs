using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using OpenClaw.PowerShell.Completion;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets pending pairing requests of both kinds: device pairing and command-surface approval.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "OpenClawNodeRequest")]
[OutputType(typeof(OpenClawNodeRequest))]
public sealed class GetOpenClawNodeRequestCommand : OperatorCmdlet
{
    private IReadOnlyList<NodeRequestInfo>? _all;

    /// <summary>Request ids to return; without it, every pending request.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("RequestId")]
    [ArgumentCompleter(typeof(OpenClawNodeRequestCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Only requests of this kind.</summary>
    [Parameter]
    public OpenClawNodeRequestKind? Kind { get; set; }

    /// <summary>Only requests from nodes whose name matches (wildcards allowed).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Lists the requests once and filters them per pipeline record.</summary>
    protected override void ProcessRecord()
    {
        try { _all ??= RunAsync(ct => Client.GetRequestsAsync(ct)); }
        catch (GatewayException ex) { ThrowTerminatingError(Errors.FromGateway(ex, null)); return; }
        IReadOnlyList<NodeRequestInfo> all = _all!;
        var name = Name is null ? null : WildcardPattern.Get(Name, WildcardOptions.IgnoreCase);
        IEnumerable<NodeRequestInfo> hits = all.Where(r => (Kind is null || (int)r.Kind == (int)Kind.Value) && (name is null || name.IsMatch(r.DisplayName ?? string.Empty)));
        if (Id is null)
        {
            foreach (NodeRequestInfo r in hits) { WriteObject(new OpenClawNodeRequest(r, GatewayName)); }
            return;
        }
        var list = hits.ToList();
        foreach (string id in Id)
        {
            NodeRequestInfo? r = list.FirstOrDefault(x => string.Equals(x.RequestId, id, StringComparison.OrdinalIgnoreCase));
            if (r is null) { WriteError(Errors.RequestNotFound(id)); }
            else { WriteObject(new OpenClawNodeRequest(r, GatewayName)); }
        }
    }
}
