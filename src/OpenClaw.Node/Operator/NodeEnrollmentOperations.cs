using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;

namespace OpenClaw.Node.Operator;

/// <summary>
/// A setup code minted by <c>device.pair.setupCode</c> (spec §5.8). <see cref="SetupCode"/> is a secret (it carries a
/// single-use bootstrap token): hand it to exactly one machine over a private channel; <see cref="ToString"/> masks it.
/// </summary>
public sealed record SetupCodeInfo
{
    /// <summary>The gateway's id for this code (<c>setupId</c>; <c>device.pair.setupStatus</c> reports its completion).</summary>
    public string SetupId { get; init; } = string.Empty;

    /// <summary>The setup code (base64url JSON; <c>openclaw-node run --pair</c>, <c>Start-OpenClawNode -SetupCode</c>). Secret.</summary>
    public string SetupCode { get; init; } = string.Empty;

    /// <summary>When the code stops working (10 minutes after minting).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The gateway URL inside the code.</summary>
    public string? GatewayUrl { get; init; }

    /// <summary>What a device enrolled with it gets: <c>node</c> (device and first command surface approved at once), <c>limited</c> or <c>full</c> (need an operator's approval).</summary>
    public string? Access { get; init; }

    /// <summary>How the gateway authenticates (<c>token</c>, <c>password</c>, …).</summary>
    public string? Auth { get; init; }

    /// <summary>Where the gateway took the URL from (<c>request.publicUrl</c>, <c>gateway.remote.url</c>, …).</summary>
    public string? UrlSource { get; init; }

    /// <summary>A description with the code masked.</summary>
    public override string ToString() => $"setup code {Enrollment.SetupCode.Mask(SetupCode)} for {GatewayUrl} ({Access}), expires {ExpiresAt:u}";

    internal static SetupCodeInfo From(JsonNode? r) => new()
    {
        SetupId = r.Str("setupId") ?? string.Empty,
        SetupCode = r.Str("setupCode") ?? string.Empty,
        ExpiresAt = NodeRequestInfo.Time(r.Long("expiresAtMs")),
        GatewayUrl = r.Str("gatewayUrl"),
        Access = r.Str("access"),
        Auth = r.Str("auth"),
        UrlSource = r.Str("urlSource"),
    };
}

/// <summary>Fleet enrolment from the operator's side: setup codes and filtered bulk approval (spec §5.1, §5.8, §12.2).</summary>
public static class NodeEnrollmentOperations
{
    /// <summary>The bootstrap profiles <c>device.pair.setupCode</c> accepts.</summary>
    public static readonly IReadOnlyList<string> BootstrapProfiles = new[] { "node", "limited", "voice-node" };

    /// <summary>
    /// Mints <paramref name="count"/> setup codes (one <c>device.pair.setupCode</c> call each, on this connection). Profile
    /// <c>node</c> (default) approves the device and its first command surface when the node connects with the code, so a
    /// fleet joins without per-machine approvals; each code works once, within 10 minutes.
    /// </summary>
    /// <param name="op">An operator connection with <c>operator.admin</c>.</param>
    /// <param name="count">How many codes, 1-1000 (one per machine: codes are single-use).</param>
    /// <param name="bootstrapProfile"><c>node</c>, <c>limited</c> or <c>voice-node</c>.</param>
    /// <param name="publicUrl">
    /// The gateway URL to put in the codes (<c>ws://</c> or <c>wss://</c>); null lets the gateway choose
    /// (<c>plugins.entries.device-pair.config.publicUrl</c>, <c>gateway.remote.url</c>, Tailscale, LAN bind). A gateway
    /// bound to loopback only refuses without one.
    /// </param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="ArgumentException">Bad count, profile or URL.</exception>
    /// <exception cref="GatewayException">
    /// Refused: missing <c>operator.admin</c> (Forbidden), or <c>SetupCodeNoPublicUrl</c> when the gateway has no URL to
    /// advertise (give <paramref name="publicUrl"/> or configure one).
    /// </exception>
    public static async Task<IReadOnlyList<SetupCodeInfo>> NewSetupCodesAsync(this OperatorClient op, int count, string bootstrapProfile, string? publicUrl, CancellationToken ct)
    {
        if (count < 1 || count > 1000) { throw new ArgumentException("The number of setup codes must be between 1 and 1000 (one per machine: each code works once).", nameof(count)); }
        if (!BootstrapProfiles.Contains(bootstrapProfile, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Unknown bootstrap profile '{bootstrapProfile}': use {string.Join(", ", BootstrapProfiles)}.", nameof(bootstrapProfile));
        }
        if (publicUrl is not null)
        {
            try { GatewayAddress.Parse(publicUrl); }
            catch (FormatException ex) { throw new ArgumentException("The public URL " + ex.Message, nameof(publicUrl), ex); }
            if (!publicUrl.Trim().StartsWith("ws://", StringComparison.OrdinalIgnoreCase) && !publicUrl.Trim().StartsWith("wss://", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"The public URL '{publicUrl}' must start with ws:// or wss://.", nameof(publicUrl));
            }
        }
        var list = new List<SetupCodeInfo>(count);
        for (int i = 0; i < count; i++)
        {
            var p = new JsonObject { ["bootstrapProfile"] = bootstrapProfile, ["includeQr"] = false };
            if (publicUrl is not null) { p["publicUrl"] = publicUrl.Trim(); }
            JsonNode? r;
            try { r = await op.CallAsync("device.pair.setupCode", p, null, ct).ConfigureAwait(false); }
            catch (GatewayException ex) when (ex.Message.IndexOf("only bound to loopback", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                throw new GatewayException(FailureKind.Configuration, "SetupCodeNoPublicUrl",
                    "The gateway listens on loopback only and has no public URL to put in a setup code. Give the URL the nodes reach it at " +
                    "(-PublicUrl / --public-url wss://gateway.example:18789), or set plugins.entries.device-pair.config.publicUrl or gateway.remote.url in the gateway config.", ex);
            }
            SetupCodeInfo info = SetupCodeInfo.From(r);
            if (info.SetupCode.Length == 0) { throw new GatewayException(FailureKind.Protocol, "SetupCodeMissing", "The gateway answered device.pair.setupCode without a setup code."); }
            list.Add(info);
        }
        return list;
    }

    /// <summary>
    /// Polls <c>node.pair.list</c> (every 500 ms) until each of <paramref name="nodeIds"/> has a pending command-surface
    /// request, or <paramref name="timeout"/> passes; returns those found (node id → request).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, NodeRequestInfo>> WaitForCommandSurfaceRequestsAsync(this OperatorClient op,
        IReadOnlyCollection<string> nodeIds, TimeSpan timeout, CancellationToken ct)
    {
        var found = new Dictionary<string, NodeRequestInfo>(StringComparer.OrdinalIgnoreCase);
        var want = new HashSet<string>(nodeIds, StringComparer.OrdinalIgnoreCase);
        var watch = Stopwatch.StartNew();
        while (want.Count > found.Count)
        {
            JsonObject surfaces = await op.ListNodePairingAsync(ct).ConfigureAwait(false);
            foreach (NodeRequestInfo r in (surfaces.Arr("pending") ?? new JsonArray()).Select(NodeRequestInfo.FromNode))
            {
                if (want.Contains(r.NodeId) && !found.ContainsKey(r.NodeId)) { found[r.NodeId] = r; }
            }
            if (want.Count == found.Count || watch.Elapsed >= timeout) { break; }
            await Task.Delay(500, ct).ConfigureAwait(false);
        }
        return found;
    }

    /// <summary>
    /// One bulk approval: every pending request that <paramref name="filter"/> approves is approved, the ones it refuses
    /// are reported (nothing approved for them) and the rest are left alone. With <paramref name="includeCommandSurface"/>
    /// it then waits (up to <paramref name="surfaceTimeout"/>, for all nodes at once) for the approved node devices to
    /// reconnect with their command-surface requests and decides those with the same filter.
    /// </summary>
    /// <param name="op">Operator connection (<c>operator.admin</c> to approve node devices and their system commands).</param>
    /// <param name="filter">The filter; an empty one approves everything.</param>
    /// <param name="includeCommandSurface">Also handle the command surfaces of the devices approved here.</param>
    /// <param name="surfaceTimeout">How long to wait for those surfaces.</param>
    /// <param name="onOutcome">Called once per request as soon as it is decided (may be null).</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="requestIds">Only these request ids (case-insensitive; an unknown id gives a <c>NodeRequestNotFound</c> failure); null = every pending request.</param>
    /// <returns>One outcome per request considered, in order.</returns>
    /// <exception cref="GatewayException">Listing the requests failed (per-request failures are outcomes, not exceptions).</exception>
    public static async Task<IReadOnlyList<NodeRequestOutcome>> ApproveMatchingAsync(this OperatorClient op, NodeRequestFilter filter,
        bool includeCommandSurface, TimeSpan surfaceTimeout, Action<NodeRequestOutcome>? onOutcome, CancellationToken ct,
        IReadOnlyCollection<string>? requestIds = null)
    {
        var outcomes = new List<NodeRequestOutcome>();
        void Add(NodeRequestOutcome o)
        {
            outcomes.Add(o);
            onOutcome?.Invoke(o);
        }
        var approvedDevices = new List<string>();
        var handledNodes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        IReadOnlyList<NodeRequestInfo> pending = await op.GetRequestsAsync(ct).ConfigureAwait(false);
        IEnumerable<NodeRequestInfo> targets = pending;
        if (requestIds is not null)
        {
            var ids = new HashSet<string>(requestIds, StringComparer.OrdinalIgnoreCase);
            targets = pending.Where(r => ids.Contains(r.RequestId)).ToList();
            foreach (string id in requestIds.Where(id => !pending.Any(r => string.Equals(r.RequestId, id, StringComparison.OrdinalIgnoreCase))))
            {
                Add(new NodeRequestOutcome(new NodeRequestInfo { RequestId = id }, NodeRequestOutcomeKind.Failed, "NodeRequestNotFound",
                    $"No pending request has the id '{id}'; it may have been handled or expired (list them with Get-OpenClawNodeRequest or 'openclaw-node nodes pending')."));
            }
        }
        foreach (NodeRequestInfo r in targets)
        {
            NodeRequestOutcome o = await DecideAsync(op, filter, r, ct).ConfigureAwait(false);
            Add(o);
            if (r.Kind == NodeRequestKind.CommandSurface) { handledNodes.Add(r.NodeId); }
            if (o.Outcome == NodeRequestOutcomeKind.Approved && r.Kind == NodeRequestKind.Device && r.Role is null or "node") { approvedDevices.Add(r.NodeId); }
        }
        var waitFor = approvedDevices.Where(id => !handledNodes.Contains(id)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (includeCommandSurface && waitFor.Count > 0)
        {
            IReadOnlyDictionary<string, NodeRequestInfo> surfaces = await op.WaitForCommandSurfaceRequestsAsync(waitFor, surfaceTimeout, ct).ConfigureAwait(false);
            foreach (string id in waitFor)
            {
                if (surfaces.TryGetValue(id, out NodeRequestInfo? s)) { Add(await DecideAsync(op, filter, s, ct).ConfigureAwait(false)); }
                else
                {
                    var stub = new NodeRequestInfo { Kind = NodeRequestKind.CommandSurface, NodeId = id, Role = "node" };
                    Add(new NodeRequestOutcome(stub, NodeRequestOutcomeKind.Failed, "CommandSurfaceNotSeen",
                        $"The command-surface request of {id} did not appear within {surfaceTimeout.TotalSeconds:0} s (is the node running?); approve it later."));
                }
            }
        }
        return outcomes;
    }

    /// <summary>Applies <paramref name="filter"/> to one request and approves it when it says so.</summary>
    public static async Task<NodeRequestOutcome> DecideAsync(this OperatorClient op, NodeRequestFilter filter, NodeRequestInfo request, CancellationToken ct)
    {
        NodeRequestDecision d = filter.Evaluate(request);
        switch (d.Verdict)
        {
            case NodeRequestVerdict.Skip: return new NodeRequestOutcome(request, NodeRequestOutcomeKind.Skipped, d.ErrorId, d.Reason);
            case NodeRequestVerdict.Refuse: return new NodeRequestOutcome(request, NodeRequestOutcomeKind.Refused, d.ErrorId, d.Reason);
        }
        try
        {
            await op.ApproveAsync(request, ct).ConfigureAwait(false);
            return new NodeRequestOutcome(request, NodeRequestOutcomeKind.Approved, null, d.Reason);
        }
        catch (GatewayException ex)
        {
            return new NodeRequestOutcome(request, NodeRequestOutcomeKind.Failed, ex.ErrorId, ex.Message);
        }
    }
}
