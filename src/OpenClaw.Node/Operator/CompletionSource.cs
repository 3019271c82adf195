using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Approvals;

namespace OpenClaw.Node.Operator;

/// <summary>One tab-completion candidate: the text to insert and a tooltip for people.</summary>
/// <param name="Text">The value to insert (a node name or id, a request id, an agent id).</param>
/// <param name="ToolTip">What the value is, e.g. "node WIN-01 (ab12…), windows".</param>
public sealed record CompletionCandidate(string Text, string ToolTip);

/// <summary>
/// Candidates for tab completion of node names and ids, request ids and exec-approval agent ids. Every method is
/// bounded (at most <c>max</c> results, gateway calls at most the given budget,
/// default 2 s) and never throws: with no connection, a dead one, a slow gateway or an unreadable file the answer is an
/// empty list. Matching is a case-insensitive prefix of the text; an empty prefix matches everything.
/// </summary>
public static class CompletionSource
{
    /// <summary>The default time budget of a gateway lookup.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(2);

    /// <summary>The default maximum number of candidates.</summary>
    public const int DefaultMax = 50;

    /// <summary>Node display names and ids known to the gateway (<c>node.list</c>) that start with <paramref name="prefix"/>;
    /// names first, then ids. Empty when <paramref name="client"/> is <see langword="null"/>.</summary>
    public static IReadOnlyList<CompletionCandidate> Nodes(OperatorClient? client, string? prefix, TimeSpan? budget = null, int max = DefaultMax)
    {
        IReadOnlyList<NodeInfo>? nodes = client is null ? null : Bounded(ct => client.GetNodesAsync(ct), budget);
        if (nodes is null) { return Array.Empty<CompletionCandidate>(); }
        var result = new List<CompletionCandidate>();
        foreach (NodeInfo n in nodes)
        {
            string what = $"node {n.DisplayName ?? "(no name)"} ({Short(n.NodeId)}){(n.Platform is null ? "" : ", " + n.Platform)}";
            if (!string.IsNullOrEmpty(n.DisplayName)) { result.Add(new CompletionCandidate(n.DisplayName!, what)); }
        }
        foreach (NodeInfo n in nodes)
        {
            result.Add(new CompletionCandidate(n.NodeId, $"node {n.DisplayName ?? "(no name)"} ({Short(n.NodeId)})"));
        }
        return Filter(result, prefix, max);
    }

    /// <summary>Pending request ids (device pairing and command surface) that start with <paramref name="prefix"/>.
    /// Empty when <paramref name="client"/> is <see langword="null"/>.</summary>
    public static IReadOnlyList<CompletionCandidate> Requests(OperatorClient? client, string? prefix, TimeSpan? budget = null, int max = DefaultMax)
    {
        IReadOnlyList<NodeRequestInfo>? requests = client is null ? null : Bounded(ct => client.GetRequestsAsync(ct), budget);
        if (requests is null) { return Array.Empty<CompletionCandidate>(); }
        return Filter(requests.Select(r => new CompletionCandidate(r.RequestId, $"{r.Kind} request from {r.DisplayName ?? Short(r.NodeId)}")), prefix, max);
    }

    /// <summary>Agent ids of the local exec-approvals file (<c>exec-approvals.json</c> in <paramref name="stateDirectory"/>,
    /// or the default state directory when <see langword="null"/>) that start with <paramref name="prefix"/>, sorted.</summary>
    public static IReadOnlyList<CompletionCandidate> AgentIds(string? stateDirectory, string? prefix, int max = DefaultMax)
    {
        try
        {
            ExecApprovalsSnapshot snap = new ExecApprovalsStore(State.StateDirectory.Resolve(stateDirectory)).Load();
            if (snap.Document is null) { return Array.Empty<CompletionCandidate>(); }
            return Filter(snap.Document.Agents.Keys.OrderBy(k => k, StringComparer.OrdinalIgnoreCase)
                .Select(k => new CompletionCandidate(k, $"agent {k} ({snap.Document.Agents[k].Allowlist.Count} allowlist entries)")), prefix, max);
        }
#pragma warning disable CA1031 // Completion must never throw: any failure (unreadable file, bad path, permissions) means no candidates.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Array.Empty<CompletionCandidate>();
        }
    }

    /// <summary>Runs a gateway call with a hard deadline: cancelled at <paramref name="budget"/>, and abandoned then even
    /// if it ignores cancellation. <see langword="null"/> on failure or timeout.</summary>
    internal static T? Bounded<T>(Func<CancellationToken, Task<T>> call, TimeSpan? budget) where T : class
    {
        TimeSpan limit = budget ?? DefaultBudget;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            Task<T> task = Task.Run(() => call(cts.Token), cts.Token);
            if (!task.Wait(limit)) { Observe(task); return null; }
            return task.Result;
        }
#pragma warning disable CA1031 // Completion must never throw: a dead connection, a refused call or a timeout means no candidates.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static void Observe(Task task) => task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);

    private static IReadOnlyList<CompletionCandidate> Filter(IEnumerable<CompletionCandidate> all, string? prefix, int max)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<CompletionCandidate>();
        foreach (CompletionCandidate c in all)
        {
            if (result.Count >= Math.Max(0, max)) { break; }
            if (!string.IsNullOrEmpty(prefix) && !c.Text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) { continue; }
            if (seen.Add(c.Text)) { result.Add(c); }
        }
        return result;
    }

    private static string Short(string id) => id.Length > 12 ? id.Substring(0, 12) + "…" : id;
}
