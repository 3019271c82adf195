using System;
using System.IO;
using System.Linq;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Node.Tests;

public sealed class ExecApprovalsEditorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Edits_defaults_agents_and_allowlists_with_compare_and_swap()
    {
        var editor = new ExecApprovalsEditor(_dir.Path);
        editor.Apply(new ExecApprovalChange { Security = "allowlist", Ask = "on-miss" });
        editor.Apply(new ExecApprovalChange { AgentId = "main", AddPatterns = new[] { "/usr/bin/git", "rg" }, ArgPattern = "^status$" });
        ExecApprovalsSnapshot snap = editor.Apply(new ExecApprovalChange { AgentId = "main", Remove = new[] { "rg" }, AskFallback = "allowlist" });
        ExecApprovalsDocument doc = snap.Document!;
        Assert.Equal(ExecSecurity.Allowlist, doc.Defaults.Security);
        Assert.Equal(ExecAsk.OnMiss, doc.Defaults.Ask);
        Assert.Equal(ExecSecurity.Allowlist, doc.Agents["main"].Values.AskFallback);
        ExecAllowlistEntry e = Assert.Single(doc.Agents["main"].Allowlist);
        Assert.Equal("/usr/bin/git", e.Pattern);
        Assert.Equal("^status$", e.ArgPattern);
        editor.Apply(new ExecApprovalChange { AgentId = "main", Remove = new[] { e.Id } });
        Assert.Empty(editor.Store.Load().Document!.Agents["main"].Allowlist);
    }

    [Theory]
    [InlineData("fulll", null, "not a valid security mode; use one of deny, allowlist, full")]
    [InlineData(null, "sometimes", "use one of off, on-miss, always")]
    public void Invalid_modes_list_the_valid_values(string? security, string? ask, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ExecApprovalsEditor(_dir.Path).Apply(new ExecApprovalChange { Security = security, Ask = ask }));
        Assert.Contains(expected, ex.Message);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "exec-approvals.json")));
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("/usr/bin/pwsh")]
    [InlineData("cmd.exe")]
    public void Shell_patterns_are_refused(string pattern)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ExecApprovalsEditor(_dir.Path).Apply(new ExecApprovalChange { AgentId = "main", AddPatterns = new[] { pattern } }));
        Assert.Contains("shell or command host", ex.Message);
    }

    [Fact]
    public void Allowlist_changes_need_an_agent_and_valid_arg_patterns()
    {
        var editor = new ExecApprovalsEditor(_dir.Path);
        Assert.Contains("give an agent id", Assert.Throws<ArgumentException>(() => editor.Apply(new ExecApprovalChange { AddPatterns = new[] { "/usr/bin/git" } })).Message);
        Assert.Contains("is not valid", Assert.Throws<ArgumentException>(() => editor.Apply(new ExecApprovalChange { AgentId = "main", AddPatterns = new[] { "/usr/bin/git" }, ArgPattern = "(" })).Message);
    }

    [Theory]
    [InlineData("main", null)]
    [InlineData("*", null)]
    [InlineData("build_bot-2", null)]
    [InlineData("Main", "'main'")]
    [InlineData("my agent!", "'my-agent'")]
    [InlineData("-ops-", "'ops'")]
    [InlineData("agent:main", "'agent-main'")]
    [InlineData("", "is not an agent id")]
    [InlineData("!!!", "is not an agent id")]
    public void Agent_ids_must_be_what_the_gateway_looks_up(string id, string? problem)
    {
        string? why = ExecApprovalsEditor.AgentIdProblem(id);
        if (problem is null) { Assert.Null(why); }
        else { Assert.NotNull(why); Assert.Contains(problem, why, StringComparison.Ordinal); }
    }

    [Fact]
    public void An_edit_for_an_agent_id_no_agent_matches_is_refused_and_writes_nothing()
    {
        string path = Path.Combine(_dir.Path, "exec-approvals.json");
        var editor = new ExecApprovalsEditor(_dir.Path);
        var ex = Assert.Throws<ArgumentException>(() => editor.Apply(new ExecApprovalChange { AgentId = "Main", AddPatterns = new[] { "/usr/bin/git" } }));
        Assert.Contains("'main'", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Null(ExecApprovalsEditor.AgentIdProblem(new string('a', 64)));
        Assert.Contains("'" + new string('a', 64) + "'", ExecApprovalsEditor.AgentIdProblem(new string('a', 65)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_file_is_not_overwritten_by_an_edit()
    {
        string path = Path.Combine(_dir.Path, "exec-approvals.json");
        File.WriteAllText(path, "{\"version\":1,");
        Assert.Throws<StateFileException>(() => new ExecApprovalsEditor(_dir.Path).Apply(new ExecApprovalChange { Security = "full" }));
        Assert.Equal("{\"version\":1,", File.ReadAllText(path));
    }
}
