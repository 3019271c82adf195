using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Approves pending pairing requests (device pairing or command surface), one by one or in bulk with filters.</para>
/// <para type="description">With -IncludeCommandSurface, approving a device request also waits for the node to
/// reconnect and approves its command surface, so a fleet script needs one pipeline. -All takes every pending request;
/// -Platform, -Name and -AllowedCommand narrow it: requests from other platforms or names are left pending, and a
/// request asking for more than a node (a role besides node, operator scopes, or commands beyond -AllowedCommand) is
/// refused with its own error (NodeRequestRoleTooBroad, NodeRequestScopesTooBroad, NodeRequestCommandsTooBroad) while the
/// others are approved.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Approve, "OpenClawNodeRequest", DefaultParameterSetName = ById, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(OpenClawNodeRequest))]
public sealed class ApproveOpenClawNodeRequestCommand : NodeRequestCmdlet
{
    private const string AllSet = "All";
    private readonly List<string> _awaitingSurface = new();

    /// <summary>Every pending request (narrowed by -Platform, -Name and -AllowedCommand).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <summary>Only requests from these platforms (linux, windows, macos, ...); others stay pending.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Platform { get; set; }

    /// <summary>Only requests whose node display name matches one of these wildcard patterns (e.g. 'build-*'); others stay pending.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [Alias("DisplayName")]
    public string[]? Name { get; set; }

    /// <summary>
    /// The most a node may declare, e.g. system.run, system.which. A command-surface request declaring anything else is
    /// refused (NodeRequestCommandsTooBroad) and stays pending. With any filter, device requests for a role besides node
    /// or with operator scopes are refused too.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? AllowedCommand { get; set; }

    /// <summary>After a device approval, wait for the node's command-surface request and approve it too (when the filter allows it).</summary>
    [Parameter]
    public SwitchParameter IncludeCommandSurface { get; set; }

    /// <summary>How long -IncludeCommandSurface waits for the nodes to come back, in seconds (default 60; all nodes are awaited together).</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 60;

    private NodeRequestFilter Filter() => new()
    {
        Platforms = Platform ?? Array.Empty<string>(),
        DisplayNamePatterns = Name ?? Array.Empty<string>(),
        AllowedCommands = AllowedCommand?.SelectMany(c => c.Split(',')).Select(c => c.Trim()).Where(c => c.Length > 0).ToArray(),
    };

    /// <summary>Decides and approves each request; a refusal or failure is a non-terminating error for that request only.</summary>
    protected override void ProcessRecord()
    {
        NodeRequestFilter filter = Filter();
        IEnumerable<NodeRequestInfo> targets;
        if (ParameterSetName == AllSet)
        {
            try { targets = RunAsync(ct => Client.GetRequestsAsync(ct)); }
            catch (GatewayException ex) { ThrowTerminatingError(Errors.FromGateway(ex, null)); return; }
        }
        else { targets = Targets(); }
        foreach (NodeRequestInfo request in targets)
        {
            if (Decide(filter, request) && IncludeCommandSurface && request.Kind == NodeRequestKind.Device && request.Role is null or "node")
            {
                _awaitingSurface.Add(request.NodeId);
            }
        }
    }

    /// <summary>Waits for the command surfaces of the devices approved here (all at once) and decides them.</summary>
    protected override void EndProcessing()
    {
        if (_awaitingSurface.Count > 0)
        {
            NodeRequestFilter filter = Filter();
            string[] ids = _awaitingSurface.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            WriteVerbose($"Waiting up to {TimeoutSec} s for the command-surface requests of {ids.Length} node(s).");
            IReadOnlyDictionary<string, NodeRequestInfo> surfaces;
            try { surfaces = RunAsync(ct => Client.WaitForCommandSurfaceRequestsAsync(ids, TimeSpan.FromSeconds(TimeoutSec), ct)); }
            catch (GatewayException ex) { WriteError(Errors.FromGateway(ex, null)); surfaces = new Dictionary<string, NodeRequestInfo>(); }
            foreach (string id in ids)
            {
                if (surfaces.TryGetValue(id, out NodeRequestInfo? surface)) { Decide(filter, surface); }
                else { WriteError(Errors.SurfaceNotSeen(id, TimeoutSec)); }
            }
        }
        base.EndProcessing();
    }

    /// <summary>Applies the filter to one request and approves it when allowed and confirmed; true when approved.</summary>
    private bool Decide(NodeRequestFilter filter, NodeRequestInfo request)
    {
        NodeRequestDecision decision = filter.Evaluate(request);
        if (decision.Verdict == NodeRequestVerdict.Skip)
        {
            WriteVerbose(decision.Reason);
            return false;
        }
        if (decision.Verdict == NodeRequestVerdict.Refuse)
        {
            WriteError(Errors.RequestRefused(decision.ErrorId ?? "NodeRequestRefused", decision.Reason, new OpenClawNodeRequest(request, GatewayName)));
            return false;
        }
        string what = $"{request.DisplayName ?? request.NodeId} ({request.Kind} request {request.RequestId})" +
            (request.Commands.Count > 0 ? ": " + string.Join(", ", request.Commands) : string.Empty);
        if (!ShouldProcess(what, "Approve")) { return false; }
        try
        {
            RunAsync(async ct => { await Client.ApproveAsync(request, ct).ConfigureAwait(false); return true; });
            WriteVerbose($"Approved {request.Kind} request {request.RequestId} for {request.DisplayName ?? request.NodeId}.");
            if (PassThru) { WriteObject(new OpenClawNodeRequest(request, GatewayName)); }
            return true;
        }
        catch (GatewayException ex)
        {
            WriteError(Errors.FromGateway(ex, request.RequestId));
            return false;
        }
    }
}
