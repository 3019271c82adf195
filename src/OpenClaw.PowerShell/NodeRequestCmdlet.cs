using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using OpenClaw.PowerShell.Completion;

namespace OpenClaw.PowerShell;

/// <summary>Base of Approve-/Deny-OpenClawNodeRequest: requests by id (looked up once per invocation) or from the pipeline.</summary>
public abstract class NodeRequestCmdlet : OperatorCmdlet
{
    /// <summary>Parameter set of -Id.</summary>
    protected const string ById = nameof(ById);

    /// <summary>Parameter set of -InputObject.</summary>
    protected const string ByObject = nameof(ByObject);

    private IReadOnlyList<NodeRequestInfo>? _pending;

    /// <summary>Request ids.</summary>
    [Parameter(ParameterSetName = ById, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("RequestId")]
    [ArgumentCompleter(typeof(OpenClawNodeRequestCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>Requests from Get-OpenClawNodeRequest.</summary>
    [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OpenClawNodeRequest[] InputObject { get; set; } = Array.Empty<OpenClawNodeRequest>();

    /// <summary>Write the handled requests.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The requests of this pipeline record; unknown ids are reported as NodeRequestNotFound and skipped.</summary>
    private protected IEnumerable<NodeRequestInfo> Targets()
    {
        if (ParameterSetName == ByObject) { return InputObject.Select(o => o.Info); }
        try { _pending ??= RunAsync(ct => Client.GetRequestsAsync(ct)); }
        catch (GatewayException ex) { ThrowTerminatingError(Errors.FromGateway(ex, null)); }
        var found = new List<NodeRequestInfo>();
        foreach (string id in Id)
        {
            NodeRequestInfo? r = _pending!.FirstOrDefault(x => string.Equals(x.RequestId, id, StringComparison.OrdinalIgnoreCase));
            if (r is null) { WriteError(Errors.RequestNotFound(id)); } else { found.Add(r); }
        }
        return found;
    }
}
