using System.Linq;
using System.Management.Automation;
using OpenClaw.Node.Migration;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Imports an official OpenClaw node's state (device identity, device token, gateway, name, exec approvals) so the node keeps its pairing on this host.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "OpenClawNodeState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OpenClawNodeStateImport))]
public sealed class ImportOpenClawNodeStateCommand : OpenClawCmdlet
{
    /// <summary>The official install's state directory (default ~/.openclaw). Only read, never changed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Source")]
    public string? Path { get; set; }

    /// <summary>This host's state directory. Default: $env:OPENCLAW_STATE_DIR, else ~/.openclaw.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("StateDir")]
    public string? StateDirectory { get; set; }

    /// <summary>Replace a different device identity, an unreadable node.json or different exec approvals in the target.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Plans the import (secrets masked), asks ShouldProcess, then imports.</summary>
    protected override void ProcessRecord()
    {
        string source = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path ?? "~/.openclaw");
        string target = StateDirectory is null ? OpenClaw.Node.State.StateDirectory.Resolve(null) : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StateDirectory);
        var options = new NodeStateImportOptions { SourceDirectory = source, TargetDirectory = target, DryRun = true, Force = Force };
        try
        {
            NodeStateImportResult plan = NodeStateImporter.Import(options);
            string what = string.Join("; ", plan.Items.Where(i => i.Action != NodeStateImportAction.NotFound).Select(i => $"{i.Name} {i.Value} ({i.Action})"));
            string description = $"Import the OpenClaw node state of '{plan.SourceDirectory}' ({plan.SourceKind}) into '{plan.TargetDirectory}': {what}.";
            if (!ShouldProcess(description, $"Import the OpenClaw node state of device {plan.DeviceId} into '{plan.TargetDirectory}'?", "Import-OpenClawNodeState"))
            {
                return;
            }
            NodeStateImportResult done = NodeStateImporter.Import(new NodeStateImportOptions { SourceDirectory = source, TargetDirectory = target, Force = Force });
            foreach (string w in done.Warnings) { WriteWarning(w); }
            WriteObject(new OpenClawNodeStateImport(done));
        }
        catch (NodeStateImportException ex)
        {
            ErrorCategory category = ex.ErrorId switch
            {
                "SourceStateNotFound" => ErrorCategory.ObjectNotFound,
                "SourceStateInvalid" => ErrorCategory.InvalidData,
                "IdentityMismatch" => ErrorCategory.SecurityError,
                "TargetIdentityExists" => ErrorCategory.ResourceExists,
                "TargetExecApprovalsDiffer" => ErrorCategory.ResourceExists,
                "TargetStateInvalid" => ErrorCategory.InvalidData,
                "SqliteUnavailable" => ErrorCategory.NotInstalled,
                _ => ErrorCategory.WriteError,
            };
            WriteError(new ErrorRecord(ex, ex.ErrorId, category, ex.Path));
        }
    }
}
