using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Policy;

/// <summary>Raised when a machine policy source exists but cannot be used (malformed, unsafe permissions, unreadable).</summary>
public sealed class MachinePolicyException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The policy source (file path or registry key).</param>
    /// <param name="message">A full sentence naming the problem and the fix.</param>
    public MachinePolicyException(string source, string message) : base(message) => PolicySource = source;

    /// <summary>The policy source (file path or registry key).</summary>
    public string PolicySource { get; }
}

/// <summary>
/// The exec-approvals floor of one policy layer. Every value is optional; a missing value does not restrict.
/// </summary>
public sealed record MachineExecFloor
{
    /// <summary>The loosest security an agent may have (<c>maxSecurity</c>): deny &lt; allowlist &lt; full.</summary>
    public ExecSecurity? MaxSecurity { get; init; }

    /// <summary>The least asking mode an agent may have (<c>minAsk</c>): off &lt; on-miss &lt; always.</summary>
    public ExecAsk? MinAsk { get; init; }

    /// <summary>The loosest ask fallback (<c>maxAskFallback</c>).</summary>
    public ExecSecurity? MaxAskFallback { get; init; }

    /// <summary><c>autoAllowSkills: false</c> forbids auto-allowing the gateway's skill executables.</summary>
    public bool? AutoAllowSkills { get; init; }

    /// <summary>
    /// <c>allowedPatterns</c>: when set, an allowlist entry counts only when its pattern is one of these (or a literal
    /// path a glob here matches); other entries are ignored and remote edits adding them are refused. Also caps
    /// security at allowlist.
    /// </summary>
    public IReadOnlyList<string>? AllowedPatterns { get; init; }

    /// <summary>
    /// <c>deniedCommands</c>: executables (globs over the resolved path, or bare names) that never run, not even with an
    /// operator's approval. A command that cannot be analysed (shell wrappers, unsafe dispatch wrappers) is refused too
    /// while this list is non-empty, since its payload could name a denied command.
    /// </summary>
    public IReadOnlyList<string> DeniedCommands { get; init; } = Array.Empty<string>();
}

/// <summary>
/// One machine policy source: <c>/etc/openclaw/policy.json</c>, <c>HKLM:\SOFTWARE\Policies\OpenClaw</c> or the
/// additional file named by <c>OPENCLAW_POLICY_FILE</c>.
/// </summary>
public sealed record MachinePolicyLayer
{
    /// <summary>Where it came from (a file path or registry key), named in every refusal.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>The only gateway host the node may connect to (case-insensitive), or null.</summary>
    public string? GatewayHost { get; init; }

    /// <summary>The only gateway port, or null.</summary>
    public int? GatewayPort { get; init; }

    /// <summary>True when TLS (<c>wss://</c>) is required.</summary>
    public bool RequireTls { get; init; }

    /// <summary>The required certificate pin (64 lowercase hex), or null; implies TLS.</summary>
    public string? TlsFingerprint { get; init; }

    /// <summary>A regular expression (anchored, case-insensitive) every display name must match, or null.</summary>
    public string? DisplayNamePattern { get; init; }

    /// <summary>The default log level (<c>debug</c>, <c>info</c>, <c>warning</c>, <c>error</c>), or null.</summary>
    public string? LogLevel { get; init; }

    /// <summary>The exec-approvals floor.</summary>
    public MachineExecFloor Exec { get; init; } = new();

    /// <summary>
    /// Parses the policy JSON: <c>{"version":1, "gateway":{"host","port","tls","tlsFingerprint"},
    /// "displayNamePattern", "logLevel", "execApprovals":{"maxSecurity","minAsk","maxAskFallback","autoAllowSkills",
    /// "allowedPatterns":[],"deniedCommands":[]}}</c>. Unknown fields are errors, so a typo never silently weakens it.
    /// </summary>
    /// <exception cref="MachinePolicyException">The document is malformed.</exception>
    public static MachinePolicyLayer Parse(string text, string source)
    {
        JsonObject root;
        try
        {
            root = Json.Parse(text) as JsonObject ?? throw new MachinePolicyException(source, $"The machine policy '{source}' is not a JSON object.");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new MachinePolicyException(source, $"The machine policy '{source}' is not valid JSON: {ex.Message} Fix or remove it; the node refuses to run while it is broken.");
        }
        return FromJson(root, source);
    }

    /// <summary>Builds a layer from the policy JSON object (see <see cref="Parse"/>).</summary>
    /// <exception cref="MachinePolicyException">The document is malformed.</exception>
    public static MachinePolicyLayer FromJson(JsonObject root, string source)
    {
        Exception Bad(string what) => new MachinePolicyException(source, $"The machine policy '{source}' is invalid: {what}. Fix it; the node refuses to run while it is broken.");
        Only(root, Bad, "version", "gateway", "displayNamePattern", "logLevel", "execApprovals");
        if (root["version"] is JsonNode v && (v.GetValueKind() != System.Text.Json.JsonValueKind.Number || root.Long("version") != 1)) { throw Bad("version must be 1"); }
        var layer = new MachinePolicyLayer { Source = source };
        if (root["gateway"] is JsonNode gwNode)
        {
            if (gwNode is not JsonObject gw) { throw Bad("gateway must be an object"); }
            Only(gw, Bad, "host", "port", "tls", "tlsFingerprint");
            string? host = StrOrBad(gw, "host", Bad);
            long? port = gw["port"] is null ? null : gw.Long("port") ?? throw Bad("gateway.port must be a number");
            if (port is long p && (p < 1 || p > 65535)) { throw Bad("gateway.port must be 1 to 65535"); }
            bool? tls = gw["tls"] is null ? null : gw.Bool("tls") ?? throw Bad("gateway.tls must be true or false");
            string? pin = StrOrBad(gw, "tlsFingerprint", Bad);
            if (pin is not null)
            {
                try { pin = Protocol.TlsFingerprint.Normalise(pin); }
                catch (FormatException ex) { throw Bad("gateway.tlsFingerprint: " + ex.Message); }
            }
            if (string.IsNullOrWhiteSpace(host) && host is not null) { throw Bad("gateway.host is empty"); }
            layer = layer with { GatewayHost = host?.Trim(), GatewayPort = (int?)port, RequireTls = tls == true || pin is not null, TlsFingerprint = pin };
        }
        if (StrOrBad(root, "displayNamePattern", Bad) is string pattern)
        {
            try { _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1)); }
            catch (ArgumentException ex) { throw Bad("displayNamePattern is not a regular expression: " + ex.Message); }
            layer = layer with { DisplayNamePattern = pattern };
        }
        if (StrOrBad(root, "logLevel", Bad) is string level)
        {
            if (Hosting.NodeLogLevels.Parse(level) is null) { throw Bad("logLevel must be debug, info, warning or error"); }
            layer = layer with { LogLevel = level };
        }
        if (root["execApprovals"] is JsonNode exNode)
        {
            if (exNode is not JsonObject ex) { throw Bad("execApprovals must be an object"); }
            Only(ex, Bad, "maxSecurity", "minAsk", "maxAskFallback", "autoAllowSkills", "allowedPatterns", "deniedCommands");
            ExecSecurity? Sec(string name) => StrOrBad(ex, name, Bad) is string s ? ExecModeNames.ParseSecurity(s) ?? throw Bad($"execApprovals.{name} must be deny, allowlist or full") : null;
            ExecAsk? ask = StrOrBad(ex, "minAsk", Bad) is string a ? ExecModeNames.ParseAsk(a) ?? throw Bad("execApprovals.minAsk must be off, on-miss or always") : null;
            bool? skills = ex["autoAllowSkills"] is null ? null : ex.Bool("autoAllowSkills") ?? throw Bad("execApprovals.autoAllowSkills must be true or false");
            if (skills == true) { skills = null; }   // true permits, which is no restriction
            List<string>? allowed = ex["allowedPatterns"] is null ? null : ex.StrArray("allowedPatterns") ?? throw Bad("execApprovals.allowedPatterns must be an array of strings");
            List<string>? denied = ex["deniedCommands"] is null ? null : ex.StrArray("deniedCommands") ?? throw Bad("execApprovals.deniedCommands must be an array of strings");
            if (allowed?.Any(string.IsNullOrWhiteSpace) == true || denied?.Any(string.IsNullOrWhiteSpace) == true) { throw Bad("execApprovals patterns must not be empty"); }
            layer = layer with
            {
                Exec = new MachineExecFloor
                {
                    MaxSecurity = Sec("maxSecurity"),
                    MinAsk = ask,
                    MaxAskFallback = Sec("maxAskFallback"),
                    AutoAllowSkills = skills,
                    AllowedPatterns = allowed,
                    DeniedCommands = (IReadOnlyList<string>?)denied ?? Array.Empty<string>(),
                },
            };
        }
        return layer;
    }

    private static void Only(JsonObject o, Func<string, Exception> bad, params string[] names)
    {
        foreach (var kv in o)
        {
            if (Array.IndexOf(names, kv.Key) < 0) { throw bad($"unknown field '{kv.Key}' (known: {string.Join(", ", names)})"); }
        }
    }

    private static string? StrOrBad(JsonObject o, string name, Func<string, Exception> bad)
    {
        if (o[name] is null) { return null; }
        return o.Str(name) ?? throw bad($"{name} must be a string");
    }

    /// <summary>The layer as policy JSON (the format <see cref="Parse"/> reads), with <c>source</c> added.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["source"] = Source };
        if (GatewayHost is not null || GatewayPort is not null || RequireTls || TlsFingerprint is not null)
        {
            o["gateway"] = new JsonObject { ["host"] = GatewayHost, ["port"] = GatewayPort, ["tls"] = RequireTls, ["tlsFingerprint"] = TlsFingerprint };
        }
        if (DisplayNamePattern is not null) { o["displayNamePattern"] = DisplayNamePattern; }
        if (LogLevel is not null) { o["logLevel"] = LogLevel; }
        var ex = new JsonObject();
        if (Exec.MaxSecurity is ExecSecurity s) { ex["maxSecurity"] = ExecModeNames.Name(s); }
        if (Exec.MinAsk is ExecAsk a) { ex["minAsk"] = ExecModeNames.Name(a); }
        if (Exec.MaxAskFallback is ExecSecurity f) { ex["maxAskFallback"] = ExecModeNames.Name(f); }
        if (Exec.AutoAllowSkills is bool b) { ex["autoAllowSkills"] = b; }
        if (Exec.AllowedPatterns is IReadOnlyList<string> al) { ex["allowedPatterns"] = Json.ToArray(al); }
        if (Exec.DeniedCommands.Count > 0) { ex["deniedCommands"] = Json.ToArray(Exec.DeniedCommands); }
        if (ex.Count > 0) { o["execApprovals"] = ex; }
        return o;
    }
}

/// <summary>
/// The machine policy in force: zero or more layers (the machine source, plus the file named by
/// <c>OPENCLAW_POLICY_FILE</c>), all of which apply, so an added layer can only tighten. Explicit parameters, node.json
/// and exec-approvals.json may tighten but never loosen it: a different gateway is refused, exec approvals are clamped
/// at evaluation time and remote edits that would exceed it are refused. Loaded by <see cref="MachinePolicyLoader"/>.
/// </summary>
public sealed class MachinePolicy
{
    /// <summary>No policy: nothing is restricted.</summary>
    public static readonly MachinePolicy None = new(Array.Empty<MachinePolicyLayer>(), null, Array.Empty<string>());

    /// <summary>Creates a policy from its layers.</summary>
    /// <param name="layers">The layers in force.</param>
    /// <param name="error">Why a source could not be used (then everything is refused), or null.</param>
    /// <param name="checkedSources">Every source that was looked at, present or not.</param>
    public MachinePolicy(IReadOnlyList<MachinePolicyLayer> layers, string? error, IReadOnlyList<string> checkedSources)
    {
        Layers = layers;
        Error = error;
        CheckedSources = checkedSources;
    }

    /// <summary>The layers in force (empty when no policy is configured).</summary>
    public IReadOnlyList<MachinePolicyLayer> Layers { get; }

    /// <summary>Why a present policy source is unusable; while set the host refuses to run and every command is denied.</summary>
    public string? Error { get; }

    /// <summary>The sources looked at (file paths, registry key), present or not.</summary>
    public IReadOnlyList<string> CheckedSources { get; }

    /// <summary>True when at least one layer is in force or a source is broken.</summary>
    public bool InForce => Layers.Count > 0 || Error is not null;

    /// <summary>The sources in force, joined with "; ", or null.</summary>
    public string? SourceText => Layers.Count == 0 ? null : string.Join("; ", Layers.Select(l => l.Source));

    /// <summary>A policy that only has <paramref name="error"/> (everything refused).</summary>
    public static MachinePolicy Broken(string error, IReadOnlyList<string> checkedSources) => new(Array.Empty<MachinePolicyLayer>(), error, checkedSources);

    /// <summary>The log level the policy sets (the first layer that sets one), or null.</summary>
    public Hosting.NodeLogLevel? LogLevel =>
        Layers.Select(l => l.LogLevel is string s ? Hosting.NodeLogLevels.Parse(s) : null).FirstOrDefault(x => x is not null);

    /// <summary>
    /// Applies the gateway part to what the run asks for: an explicit host, port, TLS switch or pin that differs from
    /// the policy is refused; values the run leaves open (null) are filled from the policy. Saved node.json values
    /// never override the policy (the caller passes only explicit parameters here).
    /// </summary>
    /// <returns>The host, port, TLS switch and pin to use instead of the explicit ones (null = no opinion).</returns>
    /// <exception cref="MachinePolicyException">The run asks for something the policy forbids, or the policy is broken or contradicts itself.</exception>
    public (string? Host, int? Port, bool? Tls, string? Pin) ApplyGateway(string? host, int? port, bool? tls, string? pin)
    {
        ThrowIfBroken();
        string? outHost = null; int? outPort = null; bool? outTls = null; string? outPin = null;
        foreach (MachinePolicyLayer l in Layers)
        {
            string wanted = Describe(l);
            if (l.GatewayHost is string h)
            {
                if (!string.IsNullOrWhiteSpace(host) && !string.Equals(host!.Trim(), h, StringComparison.OrdinalIgnoreCase))
                {
                    throw Refused(l, $"it allows only the gateway {wanted}, and this run asks for host '{host.Trim()}'. Leave out the host (the policy's gateway is used) or ask the administrator to change the policy");
                }
                if (outHost is not null && !string.Equals(outHost, h, StringComparison.OrdinalIgnoreCase)) { throw Contradiction(); }
                outHost = h;
            }
            if (l.GatewayPort is int p)
            {
                if (port is int q && q != p) { throw Refused(l, $"it allows only the gateway {wanted}, and this run asks for port {q}. Leave out the port or ask the administrator to change the policy"); }
                if (outPort is int op && op != p) { throw Contradiction(); }
                outPort = p;
            }
            if (l.RequireTls)
            {
                if (tls == false) { throw Refused(l, $"it requires TLS (gateway {wanted}), and this run turns TLS off. Leave out --no-tls / -Tls:$false"); }
                outTls = true;
            }
            if (l.TlsFingerprint is string f)
            {
                string? given = null;
                if (!string.IsNullOrWhiteSpace(pin))
                {
                    try { given = Protocol.TlsFingerprint.Normalise(pin!); } catch (FormatException) { given = pin; }
                }
                if (given is not null && given != f) { throw Refused(l, $"it pins the gateway certificate to sha256:{f}, and this run asks for another fingerprint. Leave out the fingerprint"); }
                if (outPin is not null && outPin != f) { throw Contradiction(); }
                outPin = f;
            }
        }
        return (outHost, outPort, outTls, outPin);
    }

    /// <summary>Checks the final gateway settings of a run (after saved values were merged).</summary>
    /// <exception cref="MachinePolicyException">The settings are outside the policy.</exception>
    public void CheckGateway(GatewaySettings settings)
    {
        ThrowIfBroken();
        foreach (MachinePolicyLayer l in Layers)
        {
            bool ok = (l.GatewayHost is null || string.Equals(settings.Host, l.GatewayHost, StringComparison.OrdinalIgnoreCase))
                && (l.GatewayPort is null || settings.Port == l.GatewayPort)
                && (!l.RequireTls || settings.Tls)
                && (l.TlsFingerprint is null || settings.TlsFingerprint == l.TlsFingerprint);
            if (!ok)
            {
                throw Refused(l, $"it allows only the gateway {Describe(l)}, and the node would connect to {settings.Host}:{settings.Port}{(settings.Tls ? " (TLS)" : string.Empty)}. Run without gateway parameters to use the policy's gateway");
            }
        }
    }

    /// <summary>Checks a display name against every layer's <c>displayNamePattern</c>.</summary>
    /// <exception cref="MachinePolicyException">The name does not match.</exception>
    public void CheckDisplayName(string? name)
    {
        ThrowIfBroken();
        if (name is null) { return; }
        foreach (MachinePolicyLayer l in Layers)
        {
            if (l.DisplayNamePattern is string p && !Regex.IsMatch(name, "^(?:" + p + ")$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                throw Refused(l, $"display names must match '{p}', and '{SafeText.Escape(name)}' does not. Choose a matching --display-name / -DisplayName");
            }
        }
    }

    /// <summary>
    /// The policy of an agent after the floor: security and ask fallback capped, ask raised, autoAllowSkills turned off
    /// when forbidden, and allowlist entries outside <c>allowedPatterns</c> dropped. Never looser than any layer; equal
    /// to <paramref name="policy"/> when there are no layers. A broken policy yields security deny.
    /// </summary>
    public EffectivePolicy Clamp(EffectivePolicy policy)
    {
        if (Error is not null)
        {
            return policy with { Security = ExecSecurity.Deny, AskFallback = ExecSecurity.Deny, AutoAllowSkills = false, Allowlist = Array.Empty<(string, ExecAllowlistEntry)>(), SecuritySource = "the machine policy (unusable)" };
        }
        EffectivePolicy p = policy;
        foreach (MachinePolicyLayer l in Layers)
        {
            MachineExecFloor f = l.Exec;
            ExecSecurity maxSec = f.MaxSecurity ?? ExecSecurity.Full;
            if (f.AllowedPatterns is not null && maxSec > ExecSecurity.Allowlist) { maxSec = ExecSecurity.Allowlist; }
            if (p.Security > maxSec) { p = p with { Security = maxSec, SecuritySource = "machine policy " + l.Source }; }
            if (f.MinAsk is ExecAsk minAsk && p.Ask < minAsk) { p = p with { Ask = minAsk }; }
            if (f.MaxAskFallback is ExecSecurity mf && p.AskFallback > mf) { p = p with { AskFallback = mf }; }
            if (f.AutoAllowSkills == false && p.AutoAllowSkills) { p = p with { AutoAllowSkills = false }; }
            if (f.AllowedPatterns is IReadOnlyList<string> allowed)
            {
                var kept = p.Allowlist.Where(x => Permits(allowed, x.Entry.Pattern)).ToList();
                if (kept.Count != p.Allowlist.Count) { p = p with { Allowlist = kept }; }
            }
        }
        return p;
    }

    /// <summary>True when an allowlist entry pattern is within <paramref name="allowed"/>: equal to one, or a literal path one of them matches.</summary>
    internal static bool Permits(IReadOnlyList<string> allowed, string pattern)
    {
        string p = pattern.Trim();
        bool windows = HostPlatform.IsWindows;
        foreach (string a in allowed)
        {
            if (string.Equals(a.Trim(), p, windows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)) { return true; }
            if (p.IndexOfAny(new[] { '*', '?', '[' }) < 0 && Glob.IsMatch(a.Trim(), p, windows)) { return true; }
        }
        return false;
    }

    /// <summary>
    /// Why a command may not run under the <c>deniedCommands</c> of any layer, or null. <paramref name="lexical"/> and
    /// <paramref name="real"/> are the resolved executable (null when the command could not be analysed, which is
    /// refused while a deny list exists).
    /// </summary>
    public string? DeniedReason(string argv0, string? lexical, string? real)
    {
        if (Error is not null) { return $"the machine policy is unusable: {Error}"; }
        bool windows = HostPlatform.IsWindows;
        foreach (MachinePolicyLayer l in Layers)
        {
            if (l.Exec.DeniedCommands.Count == 0) { continue; }
            if (lexical is null && real is null)
            {
                return $"the machine policy {l.Source} denies commands by name, and this command cannot be checked against that list (a shell, shell wrapper or unresolvable executable)";
            }
            foreach (string d in l.Exec.DeniedCommands)
            {
                string pattern = d.Trim();
                bool hit;
                if (pattern.IndexOf('/') >= 0 || pattern.IndexOf('\\') >= 0)
                {
                    hit = (lexical is not null && Glob.IsMatch(pattern, lexical, windows)) || (real is not null && Glob.IsMatch(pattern, real, windows));
                }
                else
                {
                    hit = Name(argv0) || Name(System.IO.Path.GetFileName(lexical ?? string.Empty)) || Name(System.IO.Path.GetFileName(real ?? string.Empty));
                    bool Name(string n) => n.Length > 0 && (Glob.IsMatch(pattern, n, windows)
                        || (windows && Glob.IsMatch(pattern, System.IO.Path.GetFileNameWithoutExtension(n), windows)));
                }
                if (hit)
                {
                    return $"'{SafeText.Escape(real ?? lexical ?? argv0)}' is denied by the machine policy {l.Source} (deniedCommands '{SafeText.Escape(pattern)}'); no approval can allow it";
                }
            }
        }
        return null;
    }

    /// <summary>
    /// How <paramref name="next"/> would exceed the floor (for remote or local edits, which are refused rather than
    /// clamped so the operator sees it), or null when every agent's policy stays within it: the first of <see cref="Violations"/>.
    /// </summary>
    public string? Exceeds(ExecApprovalsDocument next) => Violations(next).FirstOrDefault();

    /// <summary>
    /// Every way <paramref name="next"/> exceeds the floor, one sentence each naming the agent (or the defaults), the
    /// setting, the floor and the policy source; empty when it stays within it. An unusable policy is one violation.
    /// </summary>
    /// <param name="next">The document to check: its defaults and every agent it names.</param>
    /// <param name="alsoAgents">More agent ids to check (resolved through the defaults when the document lacks them), so
    /// two documents can be compared agent by agent.</param>
    public IReadOnlyList<string> Violations(ExecApprovalsDocument next, IEnumerable<string>? alsoAgents = null)
    {
        var found = new List<string>();
        if (Error is not null) { found.Add($"the machine policy is unusable: {Error}"); return found; }
        if (Layers.Count == 0) { return found; }
        var keys = new HashSet<string>(next.Agents.Keys) { "default" };
        if (alsoAgents is not null) { keys.UnionWith(alsoAgents); }
        foreach (string agent in keys.OrderBy(k => k == "default" ? string.Empty : k, StringComparer.Ordinal))
        {
            EffectivePolicy raw = EffectivePolicy.Resolve(next, agent == "default" ? null : agent);
            EffectivePolicy clamped = Clamp(raw);
            string who = agent == "default" ? "the defaults" : $"agent '{agent}'";
            string src = SourceText!;
            if (clamped.Security < raw.Security) { found.Add($"{who}: security {ExecModeNames.Name(raw.Security)} is looser than the machine policy allows ({ExecModeNames.Name(clamped.Security)} at most; {src})"); }
            if (clamped.Ask > raw.Ask) { found.Add($"{who}: ask {ExecModeNames.Name(raw.Ask)} is looser than the machine policy allows ({ExecModeNames.Name(clamped.Ask)} at least; {src})"); }
            if (clamped.AskFallback < raw.AskFallback) { found.Add($"{who}: askFallback {ExecModeNames.Name(raw.AskFallback)} is looser than the machine policy allows ({ExecModeNames.Name(clamped.AskFallback)} at most; {src})"); }
            if (raw.AutoAllowSkills && !clamped.AutoAllowSkills) { found.Add($"{who}: autoAllowSkills is forbidden by the machine policy ({src})"); }
            foreach (var outside in raw.Allowlist.Where(x => !clamped.Allowlist.Contains(x)))
            {
                found.Add($"{who}: allowlist entry '{SafeText.Escape(outside.Entry.Pattern)}' is outside the machine policy's allowedPatterns ({src})");
            }
        }
        return found;
    }

    /// <summary>One line: "machine policy: none" or the sources and what they restrict.</summary>
    public string Describe()
    {
        if (Error is not null) { return "machine policy UNUSABLE: " + Error; }
        if (Layers.Count == 0) { return "machine policy: none (looked at " + string.Join(", ", CheckedSources) + ")"; }
        return "machine policy in force from " + SourceText + ": " + string.Join("; ", Layers.Select(Summary));
    }

    private static string Summary(MachinePolicyLayer l)
    {
        var parts = new List<string>();
        if (l.GatewayHost is not null || l.GatewayPort is not null || l.RequireTls) { parts.Add("gateway " + Describe(l)); }
        if (l.TlsFingerprint is string f) { parts.Add("pin sha256:" + f.Substring(0, 12) + "..."); }
        if (l.Exec.MaxSecurity is ExecSecurity s) { parts.Add("security at most " + ExecModeNames.Name(s)); }
        if (l.Exec.MinAsk is ExecAsk a) { parts.Add("ask at least " + ExecModeNames.Name(a)); }
        if (l.Exec.MaxAskFallback is ExecSecurity af) { parts.Add("askFallback at most " + ExecModeNames.Name(af)); }
        if (l.Exec.AutoAllowSkills == false) { parts.Add("no autoAllowSkills"); }
        if (l.Exec.AllowedPatterns is IReadOnlyList<string> al) { parts.Add(al.Count + " allowed pattern(s)"); }
        if (l.Exec.DeniedCommands.Count > 0) { parts.Add(l.Exec.DeniedCommands.Count + " denied command(s)"); }
        if (l.DisplayNamePattern is string d) { parts.Add("display name ~ " + d); }
        if (l.LogLevel is string lv) { parts.Add("log level " + lv); }
        return parts.Count == 0 ? "no restrictions" : string.Join(", ", parts);
    }

    /// <summary>The policy as JSON: <c>{inForce, error, sources:[...], checkedSources:[...], layers:[layer JSON]}</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["inForce"] = InForce,
        ["error"] = Error,
        ["sources"] = Json.ToArray(Layers.Select(l => l.Source)),
        ["checkedSources"] = Json.ToArray(CheckedSources),
        ["layers"] = new JsonArray(Layers.Select(l => (JsonNode)l.ToJson()).ToArray()),
    };

    private static string Describe(MachinePolicyLayer l) =>
        $"{l.GatewayHost ?? "(any host)"}:{(l.GatewayPort is int p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "(any port)")}{(l.RequireTls ? " (TLS)" : string.Empty)}";

    private void ThrowIfBroken()
    {
        if (Error is not null) { throw new MachinePolicyException(CheckedSources.FirstOrDefault() ?? "machine policy", Error); }
    }

    private static MachinePolicyException Refused(MachinePolicyLayer l, string why) =>
        new(l.Source, $"Refused by the machine policy {l.Source}: {why}.");

    private MachinePolicyException Contradiction() =>
        new(SourceText ?? "machine policy", $"The machine policy sources {SourceText} name different gateways, so no gateway satisfies them all. Make them agree.");
}
