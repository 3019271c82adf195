using System;
using System.IO;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Policy;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>
/// Local exec-approvals edits (Edit-OpenClawExecApproval, <c>openclaw-node approvals</c>, DSC) under a machine policy:
/// an edit that goes beyond the floor is refused with <see cref="ExecApprovalsPolicyException"/> (stable id, the policy
/// source and the floor in the message) and writes nothing, instead of being written and silently clamped by the node.
/// </summary>
public sealed class ExecApprovalsPolicyEditTests : IDisposable
{
    private const string Source = "/etc/openclaw/policy.json";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static MachinePolicy Of(string json) => new(new[] { MachinePolicyLayer.Parse(json, Source) }, null, new[] { Source });

    private ExecApprovalsEditor Editor(string policyJson) => new(_dir.Path, () => Of(policyJson));

    private string FileText() => File.ReadAllText(Path.Combine(_dir.Path, "exec-approvals.json"));

    [Fact]
    public void Loosening_beyond_max_security_is_refused_naming_the_source_and_the_floor_and_writes_nothing()
    {
        ExecApprovalsEditor editor = Editor("{\"execApprovals\":{\"maxSecurity\":\"allowlist\",\"minAsk\":\"on-miss\"}}");
        editor.Apply(new ExecApprovalChange { Security = "allowlist", Ask = "on-miss" });
        string before = FileText();

        var ex = Assert.Throws<ExecApprovalsPolicyException>(() => editor.Apply(new ExecApprovalChange { Security = "full" }));
        Assert.Equal("ExecApprovalsExceedMachinePolicy", ExecApprovalsPolicyException.Id);
        Assert.Equal(Source, ex.PolicySource);
        Assert.Contains("may not exceed the machine policy", ex.Message);
        Assert.Contains("the defaults: security full is looser than the machine policy allows (allowlist at most; " + Source + ")", ex.Message);
        Assert.Equal(before, FileText());

        var ask = Assert.Throws<ExecApprovalsPolicyException>(() => editor.Apply(new ExecApprovalChange { AgentId = "main", Ask = "off" }));
        Assert.Contains("agent 'main': ask off is looser than the machine policy allows (on-miss at least; " + Source + ")", ask.Message);
        Assert.Equal(before, FileText());

        // Within the floor: accepted.
        editor.Apply(new ExecApprovalChange { Security = "deny", Ask = "always" });
        Assert.Contains("\"deny\"", FileText());
    }

    [Fact]
    public void An_allowlist_entry_outside_allowed_patterns_is_refused_even_when_the_defaults_were_already_looser()
    {
        // No file yet: the built-in defaults (security full) already exceed maxSecurity; that does not let new
        // violations through.
        ExecApprovalsEditor editor = Editor("{\"execApprovals\":{\"maxSecurity\":\"allowlist\",\"allowedPatterns\":[\"/usr/bin/*\"]}}");
        var ex = Assert.Throws<ExecApprovalsPolicyException>(() => editor.Apply(new ExecApprovalChange { AgentId = "main", AddPatterns = new[] { "/opt/tools/deploy" } }));
        Assert.Contains("allowlist entry '/opt/tools/deploy' is outside the machine policy's allowedPatterns (" + Source + ")", ex.Message);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "exec-approvals.json")));

        editor.Apply(new ExecApprovalChange { AgentId = "main", AddPatterns = new[] { "/usr/bin/git" } });
        Assert.Contains("/usr/bin/git", FileText());
    }

    [Fact]
    public void A_file_already_beyond_the_floor_can_still_be_tightened_step_by_step()
    {
        string path = _dir.Combine("exec-approvals.json");
        File.WriteAllText(path, "{\"version\":1,\"defaults\":{\"security\":\"full\",\"ask\":\"off\"}}");
        if (!OperatingSystem.IsWindows()) { File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); }
        ExecApprovalsEditor editor = Editor("{\"execApprovals\":{\"maxSecurity\":\"allowlist\",\"minAsk\":\"on-miss\"}}");
        // ask becomes compliant; security=full stays as it was (the node clamps it) and is not a new violation.
        editor.Apply(new ExecApprovalChange { Ask = "on-miss" });
        Assert.Contains("\"on-miss\"", FileText());
        editor.Apply(new ExecApprovalChange { Security = "allowlist" });
        Assert.Contains("\"allowlist\"", FileText());
        // Loosening again now is new, and refused.
        Assert.Throws<ExecApprovalsPolicyException>(() => editor.Apply(new ExecApprovalChange { Security = "full" }));
    }

    [Fact]
    public void Without_a_machine_policy_every_valid_edit_is_accepted()
    {
        var editor = new ExecApprovalsEditor(_dir.Path, () => new MachinePolicy(Array.Empty<MachinePolicyLayer>(), null, new[] { Source }));
        editor.Apply(new ExecApprovalChange { Security = "full", Ask = "off", AutoAllowSkills = true });
        Assert.Contains("\"full\"", FileText());
    }
}
