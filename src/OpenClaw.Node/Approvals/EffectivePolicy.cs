using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace OpenClaw.Node.Approvals;

/// <summary>
/// The policy that applies to one agent (spec §9.3): for each value the agent entry, then the <c>*</c> entry, then
/// <c>defaults</c>, then the built-in default (security full, ask off, askFallback deny, autoAllowSkills false) - first
/// defined wins. The allowlist is <c>agents["*"]</c> plus the agent's own. A request without an agent id uses the key
/// <c>default</c>, which never exists after normalisation, so only <c>*</c> and <c>defaults</c> apply.
/// </summary>
public sealed record EffectivePolicy(
    string AgentKey, ExecSecurity Security, ExecAsk Ask, ExecSecurity AskFallback, bool AutoAllowSkills,
    IReadOnlyList<(string AgentId, ExecAllowlistEntry Entry)> Allowlist, string SecuritySource)
{
    /// <summary>Resolves the policy of <paramref name="agentId"/> in <paramref name="doc"/>.</summary>
    public static EffectivePolicy Resolve(ExecApprovalsDocument doc, string? agentId)
    {
        string key = string.IsNullOrEmpty(agentId) ? "default" : agentId!;
        doc.Agents.TryGetValue(key, out ExecAgentEntry? agent);
        doc.Agents.TryGetValue("*", out ExecAgentEntry? star);
        string source = agent?.Values.Security is not null ? $"agents.{key}.security"
            : star?.Values.Security is not null ? "agents.*.security"
            : doc.Defaults.Security is not null ? "defaults.security" : "the built-in default";
        var list = new List<(string, ExecAllowlistEntry)>();
        if (star is not null) { foreach (ExecAllowlistEntry e in star.Allowlist) { list.Add(("*", e)); } }
        if (agent is not null && key != "*") { foreach (ExecAllowlistEntry e in agent.Allowlist) { list.Add((key, e)); } }
        return new EffectivePolicy(
            key,
            agent?.Values.Security ?? star?.Values.Security ?? doc.Defaults.Security ?? ExecSecurity.Full,
            agent?.Values.Ask ?? star?.Values.Ask ?? doc.Defaults.Ask ?? ExecAsk.Off,
            agent?.Values.AskFallback ?? star?.Values.AskFallback ?? doc.Defaults.AskFallback ?? ExecSecurity.Deny,
            agent?.Values.AutoAllowSkills ?? star?.Values.AutoAllowSkills ?? doc.Defaults.AutoAllowSkills ?? false,
            list,
            source);
    }

    /// <summary>The <c>policySnapshot</c> of a prepared plan (spec §8.3), compared again before an approved run.</summary>
    public JsonObject ToSnapshot()
    {
        var rules = new JsonArray();
        foreach (var (_, e) in Allowlist)
        {
            var r = new JsonObject { ["pattern"] = e.Pattern };
            if (e.ArgPattern is not null) { r["argPattern"] = e.ArgPattern; }
            rules.Add((JsonNode)r);
        }
        return new JsonObject
        {
            ["security"] = ExecModeNames.Name(Security),
            ["ask"] = ExecModeNames.Name(Ask),
            ["askFallback"] = ExecModeNames.Name(AskFallback),
            ["autoAllowSkills"] = AutoAllowSkills,
            ["allowlistRules"] = rules,
        };
    }

    /// <summary>One-line description for messages, e.g. <c>agent main: security=allowlist, ask=on-miss</c>.</summary>
    public string Describe() =>
        $"agent '{(AgentKey == "default" ? "(none)" : AgentKey)}': security={ExecModeNames.Name(Security)} (from {SecuritySource}), ask={ExecModeNames.Name(Ask)}";
}
