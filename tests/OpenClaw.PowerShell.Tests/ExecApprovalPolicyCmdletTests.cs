using System;
using System.IO;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// Edit-OpenClawExecApproval in a real PowerShell 7.6 (openclaw-pshost) over the packaged module, under a machine policy
/// file (OPENCLAW_POLICY_FILE): an edit beyond the floor is a PermissionDenied error with the stable ErrorId
/// ExecApprovalsExceedMachinePolicy naming the policy source and the floor; the file is left as it was.
/// </summary>
[Collection(PackagedModuleCollection.Name)]
public sealed class ExecApprovalPolicyCmdletTests
{
    private const string Scenario = """
        Import-Module $env:MANIFEST
        Edit-OpenClawExecApproval -Security Allowlist -StateDirectory $env:STATE_DIR -Confirm:$false -ErrorAction Stop
        $before = Get-Content -Raw (Join-Path $env:STATE_DIR 'exec-approvals.json')
        Edit-OpenClawExecApproval -Security Full -StateDirectory $env:STATE_DIR -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable e
        'id=' + $e[0].FullyQualifiedErrorId
        'category=' + $e[0].CategoryInfo.Category
        'message=' + $e[0].Exception.Message
        'action=' + $e[0].ErrorDetails.RecommendedAction
        'unchanged=' + ($before -eq (Get-Content -Raw (Join-Path $env:STATE_DIR 'exec-approvals.json')))
        """;

    private readonly PackagedModule _module;

    public ExecApprovalPolicyCmdletTests(PackagedModule module) => _module = module;

    [Fact]
    public void An_edit_beyond_the_machine_policy_is_refused_with_a_stable_error_id()
    {
        string root = Path.Combine(Path.GetTempPath(), "openclaw-mp-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            Directory.CreateDirectory(root);
            string policy = Path.Combine(root, "policy.json");
            File.WriteAllText(policy, "{\"version\":1,\"execApprovals\":{\"maxSecurity\":\"allowlist\"}}");
            if (!OperatingSystem.IsWindows()) { File.SetUnixFileMode(policy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead); }
            ProcessResult r = ChildProcess.RunPowerShell(Scenario, TimeSpan.FromMinutes(2),
                ("MANIFEST", _module.Manifest), ("STATE_DIR", Path.Combine(root, "state")), ("OPENCLAW_POLICY_FILE", policy));
            Assert.True(r.ExitCode == 0, $"The scenario failed (exit {r.ExitCode}):\n{r.Output}\n{r.Error}");
            string[] lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("id=ExecApprovalsExceedMachinePolicy,OpenClaw.PowerShell.Commands.EditOpenClawExecApprovalCommand", lines);
            Assert.Contains("category=PermissionDenied", lines);
            Assert.Contains(lines, l => l.StartsWith("message=", StringComparison.Ordinal)
                && l.Contains("security full is looser than the machine policy allows (allowlist at most; " + policy + ")", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("action=", StringComparison.Ordinal) && l.Contains(policy, StringComparison.Ordinal));
            Assert.Contains("unchanged=True", lines);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
