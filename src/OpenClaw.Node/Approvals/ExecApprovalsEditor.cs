using System;
using System.Collections.Generic;
using System.Linq;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Approvals;

/// <summary>One change to apply to exec approvals (local management: Edit-OpenClawExecApproval, <c>openclaw-node approvals</c>).</summary>
public sealed record ExecApprovalChange
{
    /// <summary>The agent to change (<c>*</c> for every agent), or null to change <c>defaults</c>.</summary>
    public string? AgentId { get; init; }

    /// <summary>New security mode (<c>deny</c>, <c>allowlist</c>, <c>full</c>), or null to leave it.</summary>
    public string? Security { get; init; }

    /// <summary>New ask mode (<c>off</c>, <c>on-miss</c>, <c>always</c>), or null to leave it.</summary>
    public string? Ask { get; init; }

    /// <summary>New askFallback (<c>deny</c>, <c>allowlist</c>, <c>full</c>), or null to leave it.</summary>
    public string? AskFallback { get; init; }

    /// <summary>New autoAllowSkills, or null to leave it.</summary>
    public bool? AutoAllowSkills { get; init; }

    /// <summary>Allowlist patterns to add to the agent (requires <see cref="AgentId"/>).</summary>
    public IReadOnlyList<string> AddPatterns { get; init; } = Array.Empty<string>();

    /// <summary>argPattern for the added patterns, or null.</summary>
    public string? ArgPattern { get; init; }

    /// <summary>Allowlist entries to remove, by id or by pattern.</summary>
    public IReadOnlyList<string> Remove { get; init; } = Array.Empty<string>();
}

/// <summary>
/// A local edit of exec approvals that would go beyond the machine policy's floor (<c>maxSecurity</c>, <c>minAsk</c>,
/// <c>maxAskFallback</c>, <c>autoAllowSkills</c>, <c>allowedPatterns</c>): refused, nothing written. Stable error id
/// <see cref="Id"/>; the message names the policy source and the floor.
/// </summary>
public sealed class ExecApprovalsPolicyException : Exception
{
    /// <summary>The stable error id: <c>ExecApprovalsExceedMachinePolicy</c>.</summary>
    public const string Id = "ExecApprovalsExceedMachinePolicy";

    /// <summary>Creates the exception.</summary>
    /// <param name="beyond">What exceeds the floor, with the floor and the policy source (<see cref="Policy.MachinePolicy.Exceeds"/>).</param>
    /// <param name="policySource">The policy source(s), e.g. <c>/etc/openclaw/policy.json</c> or <c>HKLM\SOFTWARE\Policies\OpenClaw</c>.</param>
    public ExecApprovalsPolicyException(string beyond, string? policySource)
        : base($"The exec approvals may not exceed the machine policy, so this edit is refused and nothing was written: {beyond}. " +
            "Ask for less (a stricter mode, or patterns within allowedPatterns), or have the machine's administrator change the policy.")
    {
        PolicySource = policySource;
    }

    /// <summary>The machine policy source(s) that set the floor.</summary>
    public string? PolicySource { get; }
}

/// <summary>
/// Local edits of <c>exec-approvals.json</c> with the engine's own validation: modes must be valid (the valid values are
/// listed), patterns naming a shell are refused, argPatterns must compile, and the result must stay within the machine
/// policy's floor (else <see cref="ExecApprovalsPolicyException"/>; a file already beyond it by hand may still be
/// tightened). Each edit is a compare-and-swap on the file's hash, so a concurrent remote edit is never overwritten silently.
/// </summary>
public sealed class ExecApprovalsEditor
{
    private readonly ExecApprovalsStore _store;
    private readonly Func<Policy.MachinePolicy> _machine;

    /// <summary>Edits the policy of <paramref name="stateDirectory"/> under the machine policy in force (<see cref="Policy.MachinePolicyLoader.Load"/>, read at each edit).</summary>
    public ExecApprovalsEditor(string stateDirectory) : this(stateDirectory, () => Policy.MachinePolicyLoader.Load()) { }

    /// <summary>Edits the policy of <paramref name="stateDirectory"/> under the machine policy <paramref name="machinePolicy"/> returns (read at each edit).</summary>
    public ExecApprovalsEditor(string stateDirectory, Func<Policy.MachinePolicy> machinePolicy)
    {
        _store = new ExecApprovalsStore(stateDirectory);
        _machine = machinePolicy ?? throw new ArgumentNullException(nameof(machinePolicy));
    }

    /// <summary>The store edited.</summary>
    public ExecApprovalsStore Store => _store;

    /// <summary>Describes what <paramref name="change"/> would do, in one sentence (for -WhatIf).</summary>
    public static string Describe(ExecApprovalChange change)
    {
        var parts = new List<string>();
        if (change.Security is not null) { parts.Add("security=" + change.Security); }
        if (change.Ask is not null) { parts.Add("ask=" + change.Ask); }
        if (change.AskFallback is not null) { parts.Add("askFallback=" + change.AskFallback); }
        if (change.AutoAllowSkills is bool b) { parts.Add("autoAllowSkills=" + (b ? "true" : "false")); }
        foreach (string p in change.AddPatterns) { parts.Add("allow " + p + (change.ArgPattern is null ? string.Empty : " (args " + change.ArgPattern + ")")); }
        foreach (string r in change.Remove) { parts.Add("remove " + r); }
        string target = change.AgentId is null ? "defaults" : "agent '" + change.AgentId + "'";
        return parts.Count == 0 ? $"no change to {target}" : $"{target}: {string.Join(", ", parts)}";
    }

    /// <summary>Applies <paramref name="change"/> and returns the new snapshot.</summary>
    /// <exception cref="ArgumentException">An invalid mode, pattern or argPattern; the message lists the valid values.</exception>
    /// <exception cref="ExecApprovalsConflictException">The file changed during the edit; retry.</exception>
    /// <exception cref="StateFileException">The current file is broken (fix it first) or cannot be written.</exception>
    /// <exception cref="TimeoutException">Another process held the file's lock for more than 5 s.</exception>
    /// <exception cref="ExecApprovalsPolicyException">The result would exceed the machine policy's floor (and the file did not already, in the same way).</exception>
    public ExecApprovalsSnapshot Apply(ExecApprovalChange change)
    {
        Validate(change);
        ExecApprovalsSnapshot current = _store.Load();
        if (current.Error is not null) { throw new StateFileException(_store.FilePath, current.Error); }
        if (IsEmpty(change)) { return current; }   // no change: the file is not rewritten (or created)
        ExecApprovalsDocument before = current.Document ?? ExecApprovalsDocument.Empty;
        ExecApprovalsDocument next = ApplyTo(before, change);
        Policy.MachinePolicy machine = _machine();
        // Refused when this edit goes beyond the floor in a new way; what a file was already beyond it (edited by hand
        // before the policy came, or the built-in default security=full) stays editable and is clamped by the node.
        // Agents the edit adds are compared with what they inherited before, so only what the edit itself loosens counts.
        var already = new HashSet<string>(machine.Violations(before, next.Agents.Keys), StringComparer.Ordinal);
        List<string> added = machine.Violations(next).Where(v => !already.Contains(v)).ToList();
        if (added.Count > 0) { throw new ExecApprovalsPolicyException(string.Join("; ", added), machine.SourceText); }
        return _store.Replace(next, current.Hash);
    }

    /// <summary>True when the change sets nothing.</summary>
    public static bool IsEmpty(ExecApprovalChange c) =>
        c.Security is null && c.Ask is null && c.AskFallback is null && c.AutoAllowSkills is null && c.AddPatterns.Count == 0 && c.Remove.Count == 0;

    /// <summary>
    /// What is wrong with <paramref name="agentId"/> as an exec-approvals agent key, or null when OpenClaw would use it as
    /// written: <c>*</c> (every agent) or a canonical agent id, 1-64 characters of lower-case letters, digits, <c>-</c> and
    /// <c>_</c> starting with a letter or digit (OpenClaw's agent-id normalisation, which the gateway applies before it
    /// looks an agent up). Anything else would be written as a key no agent ever matches, so it is refused with the
    /// canonical form OpenClaw would use, where there is one.
    /// </summary>
    public static string? AgentIdProblem(string? agentId)
    {
        string id = agentId ?? string.Empty;
        if (id == "*") { return null; }
        if (id.Length is > 0 and <= 64 && IsIdStart(id[0]) && id.All(c => IsIdStart(c) || c == '-' || c == '_') && id == id.ToLowerInvariant())
        {
            return null;
        }
        var sb = new System.Text.StringBuilder();
        bool dash = false;
        foreach (char c in id.Trim().ToLowerInvariant())
        {
            if (IsIdStart(c) || c == '_') { sb.Append(c); dash = false; }
            else if (!dash) { sb.Append('-'); dash = true; }
        }
        string canonical = sb.ToString().Trim('-');
        if (canonical.Length > 64) { canonical = canonical.Substring(0, 64).TrimEnd('-'); }
        string shown = Internal.SafeText.Escape(id.Length > 80 ? id.Substring(0, 80) + "…" : id);
        return canonical.Length == 0
            ? $"'{shown}' is not an agent id: agent ids are 1-64 lower-case letters, digits, '-' and '_', starting with a letter or digit (or '*' for every agent)."
            : $"'{shown}' is not an agent id as OpenClaw writes it (1-64 lower-case letters, digits, '-' and '_', starting with a letter or digit); the gateway looks this agent up as '{canonical}': use that.";
    }

    private static bool IsIdStart(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

    /// <summary>Checks a change without applying it.</summary>
    /// <exception cref="ArgumentException">An invalid mode, pattern or argPattern; the message lists the valid values.</exception>
    public static void Validate(ExecApprovalChange change)
    {
        _ = Parse(change.Security, ExecModeNames.ParseSecurity, "security", ExecModeNames.SecurityValues);
        if (change.Ask is not null && ExecModeNames.ParseAsk(change.Ask) is null)
        {
            throw new ArgumentException($"'{change.Ask}' is not a valid ask mode; use one of {string.Join(", ", ExecModeNames.AskValues)}.");
        }
        _ = Parse(change.AskFallback, ExecModeNames.ParseSecurity, "askFallback", ExecModeNames.SecurityValues);
        if (change.AgentId is not null && AgentIdProblem(change.AgentId) is string badAgent) { throw new ArgumentException(badAgent); }
        if ((change.AddPatterns.Count > 0 || change.Remove.Count > 0) && change.AgentId is null)
        {
            throw new ArgumentException("Allowlist entries belong to an agent: give an agent id (use '*' for every agent).");
        }
        foreach (string p in change.AddPatterns)
        {
            if (CommandHosts.RefusePattern(p) is string why) { throw new ArgumentException(char.ToUpperInvariant(why[0]) + why.Substring(1) + "."); }
        }
        if (change.ArgPattern is not null && !ArgPatterns.IsValid(change.ArgPattern, out string? bad))
        {
            throw new ArgumentException($"The argPattern '{change.ArgPattern}' is not valid: {bad}");
        }
    }

    /// <summary>The document with <paramref name="change"/> applied (pure; used for the local file and for a node's file through the gateway).</summary>
    public static ExecApprovalsDocument ApplyTo(ExecApprovalsDocument doc, ExecApprovalChange change)
    {
        Validate(change);
        ExecSecurity? security = change.Security is null ? null : ExecModeNames.ParseSecurity(change.Security);
        ExecAsk? ask = change.Ask is null ? null : ExecModeNames.ParseAsk(change.Ask);
        ExecSecurity? fallback = change.AskFallback is null ? null : ExecModeNames.ParseSecurity(change.AskFallback);
        if (change.AgentId is null)
        {
            ExecPolicyValues d = doc.Defaults;
            return doc.With(defaults: new ExecPolicyValues
            {
                Security = security ?? d.Security,
                Ask = ask ?? d.Ask,
                AskFallback = fallback ?? d.AskFallback,
                AutoAllowSkills = change.AutoAllowSkills ?? d.AutoAllowSkills,
            });
        }
        var agents = new Dictionary<string, ExecAgentEntry>(StringComparer.Ordinal);
        foreach (var kv in doc.Agents) { agents[kv.Key] = kv.Value; }
        agents.TryGetValue(change.AgentId, out ExecAgentEntry? agent);
        agent ??= new ExecAgentEntry();
        var list = agent.Allowlist.Where(e => !change.Remove.Contains(e.Id) && !change.Remove.Contains(e.Pattern)).ToList();
        foreach (string p in change.AddPatterns)
        {
            if (!list.Any(e => e.Pattern == p && e.ArgPattern == change.ArgPattern)) { list.Add(new ExecAllowlistEntry { Pattern = p, ArgPattern = change.ArgPattern }); }
        }
        ExecPolicyValues v = agent.Values;
        agents[change.AgentId] = agent with
        {
            Values = new ExecPolicyValues
            {
                Security = security ?? v.Security,
                Ask = ask ?? v.Ask,
                AskFallback = fallback ?? v.AskFallback,
                AutoAllowSkills = change.AutoAllowSkills ?? v.AutoAllowSkills,
            },
            Allowlist = list,
        };
        return doc.With(agents: agents);
    }

    private static ExecSecurity? Parse(string? value, Func<string?, ExecSecurity?> parse, string what, string[] valid) =>
        value is null ? null : parse(value) ?? throw new ArgumentException($"'{value}' is not a valid {what} mode; use one of {string.Join(", ", valid)}.");
}
