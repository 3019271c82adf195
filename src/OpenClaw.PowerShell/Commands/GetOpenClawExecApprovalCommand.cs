using System.Management.Automation;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.State;
using OpenClaw.PowerShell.Completion;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets this node's exec-approvals policy, or the effective policy of agents.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "OpenClawExecApproval")]
[OutputType(typeof(OpenClawExecApprovalPolicy))]
public sealed class GetOpenClawExecApprovalCommand : OperatorCmdlet
{
    /// <summary>Read this node's policy through the gateway (node id, name or id prefix) instead of the local file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(OpenClawNodeCompleter))]
    public string? Node { get; set; }

    /// <summary>The gateway is only needed with -Node.</summary>
    protected override void BeginProcessing()
    {
        if (Node is not null) { base.BeginProcessing(); }
    }

    /// <summary>Agent ids whose effective policy to return; without it, the file's defaults and every entry.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ValidateAgentId]
    [Alias("Agent")]
    [ArgumentCompleter(typeof(OpenClawAgentIdCompleter))]
    public string[]? AgentId { get; set; }

    /// <summary>State directory. Default: $env:OPENCLAW_STATE_DIR, else ~/.openclaw.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("StateDir")]
    public string? StateDirectory { get; set; }

    /// <summary>Writes one policy object per agent (or one for the defaults).</summary>
    protected override void ProcessRecord()
    {
        ExecApprovalsSnapshot snap;
        if (Node is not null)
        {
            try
            {
                snap = RunAsync(ct => OpenClaw.Node.Operator.HostInterop.GetNodeExecApprovalsBySelectorAsync(Client, Node, ct));
            }
            catch (OpenClaw.Node.Protocol.GatewayException ex)
            {
                WriteError(Errors.FromGateway(ex, Node));
                return;
            }
        }
        else
        {
            string dir = StateDirectory is null ? OpenClaw.Node.State.StateDirectory.Resolve(null) : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StateDirectory);
            snap = new ExecApprovalsStore(dir).Load();
        }
        if (snap.Error is not null)
        {
            WriteError(Errors.ExecApprovalsInvalid(new StateFileException(snap.Path, snap.Error)));
            return;
        }
        if (AgentId is null || AgentId.Length == 0)
        {
            WriteObject(new OpenClawExecApprovalPolicy(snap, null));
            return;
        }
        foreach (string agent in AgentId) { WriteObject(new OpenClawExecApprovalPolicy(snap, agent)); }
    }
}
