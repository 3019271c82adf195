using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenClaw.Node.Operator;

/// <summary>What a <see cref="NodeRequestFilter"/> decides for one pending request.</summary>
public enum NodeRequestVerdict
{
    /// <summary>The request matches the filter and asks for no more than a node with the allowed commands: approve it.</summary>
    Approve,
    /// <summary>The request does not match the platform or display-name filter: leave it alone (it stays pending).</summary>
    Skip,
    /// <summary>The request matches but asks for more than allowed: refuse to approve it (it stays pending).</summary>
    Refuse,
}

/// <summary>A filter decision with a stable error id (for <see cref="NodeRequestVerdict.Refuse"/>) and a reason in words.</summary>
/// <param name="Verdict">Approve, skip or refuse.</param>
/// <param name="ErrorId">
/// For refusals: <c>NodeRequestRoleTooBroad</c>, <c>NodeRequestScopesTooBroad</c> or <c>NodeRequestCommandsTooBroad</c>;
/// for skips: <c>NodeRequestPlatformNotMatched</c> or <c>NodeRequestNameNotMatched</c>; null for approvals.
/// </param>
/// <param name="Reason">One sentence naming the request and why.</param>
public sealed record NodeRequestDecision(NodeRequestVerdict Verdict, string? ErrorId, string Reason);

/// <summary>
/// Which pending pairing requests a bulk approval may approve (<c>Approve-OpenClawNodeRequest -All</c>,
/// <c>openclaw-node nodes approve --all</c>). A request must match every given filter (platform, display-name wildcard) to be
/// considered; a considered request is refused, per request, when it asks for more than a node: a device request for a role
/// other than <c>node</c> or with any operator scope, or a command-surface request declaring a command outside
/// <see cref="AllowedCommands"/>. An empty filter approves everything, as before filters existed.
/// </summary>
public sealed record NodeRequestFilter
{
    /// <summary>Platforms to accept (<c>client.platform</c>: linux, windows, macos, …), case-insensitive; empty = any.</summary>
    public IReadOnlyList<string> Platforms { get; init; } = Array.Empty<string>();

    /// <summary>Display-name wildcard patterns (<c>*</c> any run, <c>?</c> one character; case-insensitive); empty = any.</summary>
    public IReadOnlyList<string> DisplayNamePatterns { get; init; } = Array.Empty<string>();

    /// <summary>The most a node may declare (e.g. <c>system.run</c>, <c>system.which</c>); null = no command limit.</summary>
    public IReadOnlyList<string>? AllowedCommands { get; init; }

    /// <summary>True when no filter is set: every request is approved (the unfiltered <c>--all</c>).</summary>
    public bool IsEmpty => Platforms.Count == 0 && DisplayNamePatterns.Count == 0 && AllowedCommands is null;

    /// <summary>Decides one request (pure; no gateway call).</summary>
    public NodeRequestDecision Evaluate(NodeRequestInfo request)
    {
        string who = $"{request.DisplayName ?? "(no name)"} ({ShortId(request.NodeId)}, {(request.Kind == NodeRequestKind.Device ? "device" : "command-surface")} request {request.RequestId})";
        if (Platforms.Count > 0 && !Platforms.Any(p => string.Equals(p.Trim(), request.Platform ?? string.Empty, StringComparison.OrdinalIgnoreCase)))
        {
            return new(NodeRequestVerdict.Skip, "NodeRequestPlatformNotMatched", $"{who}: platform '{request.Platform ?? "(none)"}' is not {string.Join(" or ", Platforms)}; left pending.");
        }
        if (DisplayNamePatterns.Count > 0 && !DisplayNamePatterns.Any(p => WildcardMatch(p, request.DisplayName ?? string.Empty)))
        {
            return new(NodeRequestVerdict.Skip, "NodeRequestNameNotMatched", $"{who}: the display name does not match {string.Join(" or ", DisplayNamePatterns.Select(p => "'" + p + "'"))}; left pending.");
        }
        if (IsEmpty) { return new(NodeRequestVerdict.Approve, null, who + ": approved (no filter)."); }
        if (request.Kind == NodeRequestKind.Device)
        {
            var roles = new List<string>(request.Roles);
            if (request.Role is string r && !roles.Contains(r, StringComparer.OrdinalIgnoreCase)) { roles.Add(r); }
            var broader = roles.Where(x => !string.Equals(x, "node", StringComparison.OrdinalIgnoreCase)).ToList();
            if (broader.Count > 0)
            {
                return new(NodeRequestVerdict.Refuse, "NodeRequestRoleTooBroad",
                    $"{who}: asks for the role(s) {string.Join(", ", broader)} besides node; a filtered approval only approves node devices. Review it and approve it by id if intended.");
            }
            if (request.Scopes.Count > 0)
            {
                return new(NodeRequestVerdict.Refuse, "NodeRequestScopesTooBroad",
                    $"{who}: asks for the scope(s) {string.Join(", ", request.Scopes)}; a node needs none. Review it and approve it by id if intended.");
            }
            return new(NodeRequestVerdict.Approve, null, who + ": a node device with no scopes; approved.");
        }
        if (AllowedCommands is not null)
        {
            var extra = request.Commands.Where(c => !AllowedCommands.Contains(c, StringComparer.Ordinal)).ToList();
            if (extra.Count > 0)
            {
                return new(NodeRequestVerdict.Refuse, "NodeRequestCommandsTooBroad",
                    $"{who}: declares {string.Join(", ", extra)} beyond the allowed {string.Join(", ", AllowedCommands)}; nothing approved. " +
                    "Start the node with a narrower command list, or widen the allowed list.");
            }
        }
        return new(NodeRequestVerdict.Approve, null, who + $": commands {(request.Commands.Count == 0 ? "(none)" : string.Join(", ", request.Commands))} within the allowed list; approved.");
    }

    /// <summary>Case-insensitive wildcard match of the whole <paramref name="text"/>: <c>*</c> any run, <c>?</c> one character, <c>`</c> escapes (PowerShell style).</summary>
    public static bool WildcardMatch(string pattern, string text)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '`' && i + 1 < pattern.Length) { sb.Append(Regex.Escape(pattern[++i].ToString())); }
            else if (c == '*') { sb.Append(".*"); }
            else if (c == '?') { sb.Append('.'); }
            else { sb.Append(Regex.Escape(c.ToString())); }
        }
        sb.Append('$');
        return Regex.IsMatch(text, sb.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }

    private static string ShortId(string id) => id.Length > 12 ? id.Substring(0, 12) : id;
}

/// <summary>What happened to one request in a bulk approval.</summary>
public enum NodeRequestOutcomeKind
{
    /// <summary>Approved on the gateway.</summary>
    Approved,
    /// <summary>Refused by the filter (asks for too much); nothing approved, it stays pending.</summary>
    Refused,
    /// <summary>Did not match the filter; untouched.</summary>
    Skipped,
    /// <summary>The gateway refused the approval, or the node's command-surface request never appeared.</summary>
    Failed,
}

/// <summary>One request's result in <see cref="NodeEnrollmentOperations.ApproveMatchingAsync"/>.</summary>
/// <param name="Request">The request.</param>
/// <param name="Outcome">Approved, refused, skipped or failed.</param>
/// <param name="ErrorId">Stable id for refused/skipped/failed (see <see cref="NodeRequestDecision.ErrorId"/>; <c>CommandSurfaceNotSeen</c>, or the gateway's).</param>
/// <param name="Message">One sentence.</param>
public sealed record NodeRequestOutcome(NodeRequestInfo Request, NodeRequestOutcomeKind Outcome, string? ErrorId, string Message);
