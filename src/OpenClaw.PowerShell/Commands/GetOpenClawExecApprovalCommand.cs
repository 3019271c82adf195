using System.Management.Automation;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.State;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets this node's exec-approvals policy, or the effective policy of agents.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "OpenClawExecApproval")]
[OutputType(typeof(OpenClawExecApprovalPolicy))]
public sealed class GetOpenClawExecApprovalCommand : OpenClawCmdlet
{
    /// <summary>Agent ids whose effective policy to return; without it, the file's defaults and every entry.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Agent")]
    public string[]? AgentId { get; set; }

    /// <summary>State directory. Default: $env:OPENCLAW_STATE_DIR, else ~/.openclaw.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("StateDir")]
    public string? StateDirectory { get; set; }

    /// <summary>Writes one policy object per agent (or one for the defaults).</summary>
    protected override void ProcessRecord()
    {
        string dir = StateDirectory is null ? Node.State.StateDirectory.Resolve(null) : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StateDirectory);
        ExecApprovalsSnapshot snap = new ExecApprovalsStore(dir).Load();
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
