using System;
using System.Collections.Generic;
using System.Linq;
using OpenClaw.Node.Approvals;

namespace OpenClaw.PowerShell;

/// <summary>Exec security mode: what an agent may run.</summary>
public enum ExecSecurityMode
{
    /// <summary>Nothing runs.</summary>
    Deny,
    /// <summary>Only allowlisted commands run without an approval.</summary>
    Allowlist,
    /// <summary>Everything runs.</summary>
    Full,
}

/// <summary>Exec ask mode: when a human must approve.</summary>
public enum ExecAskMode
{
    /// <summary>Never.</summary>
    Off,
    /// <summary>When the allowlist does not cover the command.</summary>
    OnMiss,
    /// <summary>For every command.</summary>
    Always,
}

/// <summary>One allowlist entry of an agent (exec-approvals.json <c>agents.&lt;id&gt;.allowlist[]</c>).</summary>
public sealed class OpenClawExecAllowlistEntry
{
    internal OpenClawExecAllowlistEntry(string agentId, ExecAllowlistEntry e)
    {
        AgentId = agentId;
        Id = e.Id;
        Pattern = e.Pattern;
        ArgPattern = e.ArgPattern;
        Source = e.Source;
        LastUsed = e.LastUsedAt is long t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null;
        LastUsedCommand = e.LastUsedCommand;
        LastResolvedPath = e.LastResolvedPath;
    }

    /// <summary>The agent the entry belongs to (<c>*</c> for every agent).</summary>
    public string AgentId { get; }

    /// <summary>Entry id.</summary>
    public string Id { get; }

    /// <summary>Executable path glob or bare name.</summary>
    public string Pattern { get; }

    /// <summary>Argument regex or cwd+argv binding, if any.</summary>
    public string? ArgPattern { get; }

    /// <summary>Where the entry came from (e.g. allow-always).</summary>
    public string? Source { get; }

    /// <summary>Last time a run matched the entry.</summary>
    public DateTimeOffset? LastUsed { get; }

    /// <summary>Command text of the last matching run.</summary>
    public string? LastUsedCommand { get; }

    /// <summary>Executable the last matching run resolved to.</summary>
    public string? LastResolvedPath { get; }

    /// <inheritdoc />
    public override string ToString() => Pattern;
}

/// <summary>
/// The exec-approvals policy of this node: the file's defaults (no -AgentId) or the effective policy of one agent
/// (with -AgentId), with its allowlist. Never carries the socket token.
/// </summary>
public sealed class OpenClawExecApprovalPolicy
{
    internal OpenClawExecApprovalPolicy(ExecApprovalsSnapshot snap, string? agentId)
    {
        ExecApprovalsDocument doc = snap.Effective ?? ExecApprovalsDocument.Empty;
        Path = snap.Path;
        Exists = snap.Exists;
        Hash = snap.Hash;
        AgentId = agentId;
        Agents = doc.Agents.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        if (agentId is null)
        {
            EffectivePolicy d = EffectivePolicy.Resolve(doc, null);
            (Security, Ask, AskFallback, AutoAllowSkills, SecuritySource) = (Map(d.Security), Map(d.Ask), Map(d.AskFallback), d.AutoAllowSkills, d.SecuritySource);
            var all = new List<OpenClawExecAllowlistEntry>();
            // No lambda over the pair: a closure field of an engine value type would need the engine to load.
            foreach (string agent in doc.Agents.Keys)
            {
                foreach (ExecAllowlistEntry e in doc.Agents[agent].Allowlist) { all.Add(new OpenClawExecAllowlistEntry(agent, e)); }
            }
            Allowlist = all.ToArray();
        }
        else
        {
            EffectivePolicy p = EffectivePolicy.Resolve(doc, agentId);
            (Security, Ask, AskFallback, AutoAllowSkills, SecuritySource) = (Map(p.Security), Map(p.Ask), Map(p.AskFallback), p.AutoAllowSkills, p.SecuritySource);
            Allowlist = p.Allowlist.Select(x => new OpenClawExecAllowlistEntry(x.AgentId, x.Entry)).ToArray();
        }
    }

    internal static ExecSecurityMode Map(ExecSecurity s) => (ExecSecurityMode)(int)s;

    internal static ExecAskMode Map(ExecAsk a) => (ExecAskMode)(int)a;

    internal static string Wire(ExecSecurityMode s) => ExecModeNames.Name((ExecSecurity)(int)s);

    internal static string Wire(ExecAskMode a) => ExecModeNames.Name((ExecAsk)(int)a);

    /// <summary>Full path of exec-approvals.json.</summary>
    public string Path { get; }

    /// <summary>Whether the file exists (when it does not, the built-in defaults apply: security full, ask off).</summary>
    public bool Exists { get; }

    /// <summary>SHA-256 of the file text (the compare-and-swap token).</summary>
    public string Hash { get; }

    /// <summary>The agent whose effective policy this is, or null for the defaults.</summary>
    public string? AgentId { get; }

    /// <summary>Agent ids present in the file.</summary>
    public string[] Agents { get; }

    /// <summary>Effective security mode.</summary>
    public ExecSecurityMode Security { get; }

    /// <summary>Effective ask mode.</summary>
    public ExecAskMode Ask { get; }

    /// <summary>Security applied when an approval times out on the gateway.</summary>
    public ExecSecurityMode AskFallback { get; }

    /// <summary>Whether the gateway's skill binaries count as allowlisted.</summary>
    public bool AutoAllowSkills { get; }

    /// <summary>Where the security mode comes from (e.g. defaults.security, agents.main.security, the built-in default).</summary>
    public string SecuritySource { get; }

    /// <summary>Allowlist entries (all agents for the defaults view; '*' plus the agent's own with -AgentId).</summary>
    public OpenClawExecAllowlistEntry[] Allowlist { get; }

    /// <inheritdoc />
    public override string ToString() => (AgentId ?? "defaults") + ": " + Security;
}
