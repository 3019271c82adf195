using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Operator;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>Tab-completion candidates: bounded in time and count, never throwing.</summary>
public sealed class CompletionSourceTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private void SeedAgents(params string[] agents)
    {
        foreach (string agent in agents)
        {
            new ExecApprovalsEditor(_dir.Path).Apply(new ExecApprovalChange { AgentId = agent, Security = "allowlist", AddPatterns = new[] { "/usr/bin/uname" } });
        }
    }

    [Fact]
    public void Agent_ids_come_from_the_local_exec_approvals_file_sorted_and_filtered_by_prefix()
    {
        SeedAgents("main", "build-bot", "backup");
        Assert.Equal(new[] { "backup", "build-bot", "main" }, CompletionSource.AgentIds(_dir.Path, "").Select(c => c.Text));
        Assert.Equal(new[] { "backup", "build-bot" }, CompletionSource.AgentIds(_dir.Path, "B").Select(c => c.Text));
        Assert.Contains("1 allowlist entries", CompletionSource.AgentIds(_dir.Path, "main").Single().ToolTip);
    }

    [Fact]
    public void Agent_ids_are_bounded_in_count()
    {
        SeedAgents(Enumerable.Range(0, 8).Select(i => "agent" + i).ToArray());
        Assert.Equal(3, CompletionSource.AgentIds(_dir.Path, "agent", max: 3).Count);
    }

    [Fact]
    public void A_missing_or_broken_file_or_a_bad_directory_gives_no_agent_ids()
    {
        Assert.Empty(CompletionSource.AgentIds(_dir.Path, ""));
        File.WriteAllText(Path.Combine(_dir.Path, "exec-approvals.json"), "{\"version\":1,");
        Assert.Empty(CompletionSource.AgentIds(_dir.Path, ""));
        Assert.Empty(CompletionSource.AgentIds("\0not a path", ""));
    }

    [Fact]
    public void Without_a_connection_there_are_no_nodes_or_requests()
    {
        Assert.Empty(CompletionSource.Nodes(null, ""));
        Assert.Empty(CompletionSource.Requests(null, ""));
    }

    [Fact]
    public void A_call_that_ignores_cancellation_is_abandoned_at_the_budget()
    {
        using var never = new ManualResetEventSlim();
        var sw = Stopwatch.StartNew();
        object? result = CompletionSource.Bounded<object>(_ => Task.Run(() => { never.Wait(TimeSpan.FromSeconds(30)); return new object(); }), TimeSpan.FromMilliseconds(300));
        sw.Stop();
        Assert.Null(result);
        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        never.Set();
    }

    [Fact]
    public void A_failing_or_cancelled_call_gives_nothing()
    {
        Assert.Null(CompletionSource.Bounded<object>(_ => throw new IOException("connection reset"), TimeSpan.FromSeconds(2)));
        Assert.Null(CompletionSource.Bounded<object>(_ => Task.FromException<object>(new Protocol.GatewayException(Protocol.FailureKind.Unknown, "CLOSED", "closed")), TimeSpan.FromSeconds(2)));
        Assert.Null(CompletionSource.Bounded<object>(async ct => { await Task.Delay(Timeout.Infinite, ct); return new object(); }, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void A_prompt_call_returns_its_value()
    {
        Assert.Equal("x", CompletionSource.Bounded(_ => Task.FromResult("x"), TimeSpan.FromSeconds(2)));
    }
}
