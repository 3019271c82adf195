using System;
using System.Management.Automation;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.State;
using OpenClaw.PowerShell.Completion;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Changes this node's exec approvals: modes of the defaults or of an agent, and allowlist entries.</para>
/// </summary>
[Cmdlet(VerbsData.Edit, "OpenClawExecApproval", DefaultParameterSetName = Modes, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OpenClawExecApprovalPolicy))]
public sealed class EditOpenClawExecApprovalCommand : OperatorCmdlet
{
    /// <summary>Edit this node's policy through the gateway (node id, name or id prefix) instead of the local file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(OpenClawNodeCompleter))]
    public string? Node { get; set; }

    /// <summary>The gateway is only needed with -Node.</summary>
    protected override void BeginProcessing()
    {
        if (Node is not null) { base.BeginProcessing(); }
    }

    private const string Modes = nameof(Modes);
    private const string RemoveEntries = nameof(RemoveEntries);

    /// <summary>The agent to change ('*' for every agent); without it, the defaults are changed.</summary>
    [Parameter(ParameterSetName = Modes, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = RemoveEntries, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ValidateAgentId]
    [Alias("Agent")]
    [ArgumentCompleter(typeof(OpenClawAgentIdCompleter))]
    public string? AgentId { get; set; }

    /// <summary>New security mode.</summary>
    [Parameter(ParameterSetName = Modes)]
    public ExecSecurityMode? Security { get; set; }

    /// <summary>New ask mode.</summary>
    [Parameter(ParameterSetName = Modes)]
    public ExecAskMode? Ask { get; set; }

    /// <summary>New askFallback: what applies when an approval times out on the gateway.</summary>
    [Parameter(ParameterSetName = Modes)]
    public ExecSecurityMode? AskFallback { get; set; }

    /// <summary>Whether the gateway's skill binaries count as allowlisted.</summary>
    [Parameter(ParameterSetName = Modes)]
    public bool? AutoAllowSkills { get; set; }

    /// <summary>Allowlist patterns to add for the agent (path globs or bare names; shells are refused).</summary>
    [Parameter(ParameterSetName = Modes)]
    [ValidateNotNullOrEmpty]
    public string[]? AddPattern { get; set; }

    /// <summary>argPattern for the added patterns: a regex over the arguments, or sha256:cwd-argv:v1:&lt;hex&gt;.</summary>
    [Parameter(ParameterSetName = Modes)]
    [ValidateNotNullOrEmpty]
    public string? ArgPattern { get; set; }

    /// <summary>Allowlist entries (ids or patterns) to remove from the agent.</summary>
    [Parameter(ParameterSetName = Modes)]
    [Parameter(ParameterSetName = RemoveEntries, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    public string[]? RemoveEntry { get; set; }

    /// <summary>Remove the piped allowlist entries (from Get-OpenClawExecApproval ... .Allowlist).</summary>
    [Parameter(ParameterSetName = RemoveEntries, Mandatory = true)]
    public SwitchParameter Remove { get; set; }

    /// <summary>State directory. Default: $env:OPENCLAW_STATE_DIR, else ~/.openclaw.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("StateDir")]
    public string? StateDirectory { get; set; }

    /// <summary>Write the resulting policy.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Applies one change per pipeline record.</summary>
    protected override void ProcessRecord()
    {
        var change = new ExecApprovalChange
        {
            AgentId = AgentId,
            Security = Security is ExecSecurityMode s ? OpenClawExecApprovalPolicy.Wire(s) : null,
            Ask = Ask is ExecAskMode a ? OpenClawExecApprovalPolicy.Wire(a) : null,
            AskFallback = AskFallback is ExecSecurityMode f ? OpenClawExecApprovalPolicy.Wire(f) : null,
            AutoAllowSkills = AutoAllowSkills,
            AddPatterns = AddPattern ?? Array.Empty<string>(),
            ArgPattern = ArgPattern,
            Remove = RemoveEntry ?? Array.Empty<string>(),
        };
        if (Node is not null)
        {
            EditRemote(change);
            return;
        }
        string dir = StateDirectory is null ? OpenClaw.Node.State.StateDirectory.Resolve(null) : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StateDirectory);
        var editor = new ExecApprovalsEditor(dir);
        if (!ShouldProcess(editor.Store.FilePath, ExecApprovalsEditor.Describe(change))) { return; }
        try
        {
            ExecApprovalsSnapshot snap = editor.Apply(change);
            WriteVerbose($"Updated {snap.Path} (hash {snap.Hash}).");
            if (PassThru) { WriteObject(new OpenClawExecApprovalPolicy(snap, AgentId)); }
        }
        catch (ArgumentException ex)
        {
            WriteError(new ErrorRecord(ex, "InvalidExecApprovalChange", ErrorCategory.InvalidArgument, change));
        }
        catch (ExecApprovalsPolicyException ex)
        {
            WriteError(new ErrorRecord(ex, ExecApprovalsPolicyException.Id, ErrorCategory.PermissionDenied, editor.Store.FilePath)
            {
                ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = $"Stay within the machine policy ({ex.PolicySource}), or have the machine's administrator change it." },
            });
        }
        catch (ExecApprovalsConflictException ex)
        {
            WriteError(new ErrorRecord(ex, "ExecApprovalsChanged", ErrorCategory.ResourceBusy, editor.Store.FilePath)
            {
                ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Run the command again; the file was changed by someone else meanwhile." },
            });
        }
        catch (StateFileException ex)
        {
            WriteError(Errors.ExecApprovalsInvalid(ex));
        }
        catch (TimeoutException ex)
        {
            WriteError(new ErrorRecord(ex, "ExecApprovalsLocked", ErrorCategory.ResourceBusy, editor.Store.FilePath)
            {
                ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Another process is editing the policy; run the command again." },
            });
        }
    }

    /// <summary>Read-modify-write of a node's policy through the gateway, with compare-and-swap and retry.</summary>
    private void EditRemote(ExecApprovalChange change)
    {
        try
        {
            ExecApprovalsEditor.Validate(change);
            var target = RunAsync(ct => OpenClaw.Node.Operator.HostInterop.ResolveNodeAsync(Client, Node!, ct));
            if (!ShouldProcess($"exec approvals of node {target.DisplayName ?? target.NodeId} ({target.NodeId})", ExecApprovalsEditor.Describe(change))) { return; }
            ExecApprovalsSnapshot snap = RunAsync(ct => OpenClaw.Node.Operator.HostInterop.EditNodeExecApprovalsAsync(Client, target.NodeId, change, ct));
            WriteVerbose($"Updated the exec approvals of {target.DisplayName ?? target.NodeId} (hash {snap.Hash}).");
            if (PassThru) { WriteObject(new OpenClawExecApprovalPolicy(snap, AgentId)); }
        }
        catch (ArgumentException ex)
        {
            WriteError(new ErrorRecord(ex, "InvalidExecApprovalChange", ErrorCategory.InvalidArgument, change));
        }
        catch (OpenClaw.Node.Protocol.GatewayException ex)
        {
            WriteError(Errors.FromGateway(ex, Node));
        }
    }
}
