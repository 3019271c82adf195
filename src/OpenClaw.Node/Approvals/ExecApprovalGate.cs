using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Approvals;

/// <summary>
/// The exec-approvals decision of spec §9.4, evaluated afresh for every <c>system.run</c> from the current
/// <c>exec-approvals.json</c>:
/// <list type="bullet">
/// <item>a broken file denies everything, naming the file and the fault;</item>
/// <item>security <c>deny</c> denies; <c>ask=always</c>, or <c>on-miss</c> under <c>allowlist</c> with no allowlist match,
/// requires an approval the gateway verified (<c>approved</c>/<c>approvalDecision</c> with a matching <c>systemRunPlan</c>);</item>
/// <item>under <c>allowlist</c> every command needs a matching entry or an approval;</item>
/// <item>shells and command hosts (<see cref="CommandHosts"/>), shell wrappers and dispatch wrappers that cannot be
/// unwrapped safely never satisfy an allowlist: they need an approval per run;</item>
/// <item>an <c>ask-fallback</c> run (the gateway's approval timed out) is evaluated with
/// <c>min(security, askFallback, allowlist)</c> and no approval: a timeout never allows more than the allowlist.</item>
/// </list>
/// Matched entries get <c>lastUsedAt</c>/<c>lastUsedCommand</c>/<c>lastResolvedPath</c>; an approved
/// <c>allow-always</c> run persists a cwd+argv-bound entry for its executable (never for a command host).
/// </summary>
internal sealed class ExecApprovalGate : IExecGate
{
    private static readonly HashSet<string> UnsafeDispatchWrappers = new(StringComparer.OrdinalIgnoreCase)
    {
        "sudo", "doas", "su", "runas", "pkexec", "xargs", "nsenter", "chroot", "flock", "firejail", "systemd-run",
        "xcrun", "unshare", "setpriv", "runuser", "start", "ssh", "script", "watch", "parallel", "caffeinate", "arch",
    };

    private readonly ExecApprovalsStore _store;
    private readonly PathResolver _resolver;
    private readonly bool _windows;
    private readonly Func<long> _clock;
    private readonly Func<IReadOnlyCollection<string>> _skillBins;
    private readonly Func<Policy.MachinePolicy> _machine;

    /// <param name="store">The policy file.</param>
    /// <param name="resolver">PATH lookup of the node.</param>
    /// <param name="windows">Windows matching rules (case-insensitive, PATHEXT).</param>
    /// <param name="clock">Unix milliseconds for last-used bookkeeping.</param>
    /// <param name="skillBins">Executable names the gateway's skills use (<c>skills.bins</c>), honoured when autoAllowSkills is on.</param>
    /// <param name="machinePolicy">The machine policy, read for every decision (its floor clamps the file's policy and its
    /// deniedCommands refuse even approved runs); null means none.</param>
    public ExecApprovalGate(ExecApprovalsStore store, PathResolver resolver, bool windows, Func<long>? clock = null, Func<IReadOnlyCollection<string>>? skillBins = null,
        Func<Policy.MachinePolicy>? machinePolicy = null)
    {
        _machine = machinePolicy ?? (() => Policy.MachinePolicy.None);
        _store = store;
        _resolver = resolver;
        _windows = windows;
        _clock = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _skillBins = skillBins ?? (() => Array.Empty<string>());
    }

    /// <summary>One executable a request would start, as resolved for matching.</summary>
    internal sealed record Target(IReadOnlyList<string> Argv, string? Lexical, string? Real, bool HadPath);

    /// <summary>The outcome of looking at the argv before any allowlist matching.</summary>
    internal sealed record Analysis(Target? Target, string? Problem);

    public ExecDecision Evaluate(SystemRunRequest request, string cwd, string? resolvedPath)
    {
        ExecApprovalsSnapshot snapshot = _store.Load();
        ExecApprovalsDocument? doc = snapshot.Effective;
        if (doc is null)
        {
            return ExecDecision.Deny("security=deny", "SYSTEM_RUN_DENIED: exec approvals are unusable: " + snapshot.Error);
        }
        Policy.MachinePolicy machine = _machine();
        EffectivePolicy policy = machine.Clamp(EffectivePolicy.Resolve(doc, request.AgentId));
        return Decide(request, cwd, policy, record: true, machine);
    }

    /// <summary>The policy of <paramref name="agentId"/> in <paramref name="doc"/> after the machine policy's floor.</summary>
    internal EffectivePolicy Resolve(ExecApprovalsDocument doc, string? agentId) => _machine().Clamp(EffectivePolicy.Resolve(doc, agentId));

    /// <summary>The decision for <paramref name="request"/> under <paramref name="policy"/> (pure except for last-used bookkeeping when <paramref name="record"/>).</summary>
    internal ExecDecision Decide(SystemRunRequest request, string cwd, EffectivePolicy policy, bool record, Policy.MachinePolicy? machine = null)
    {
        ExecSecurity security = policy.Security;
        ExecAsk ask = policy.Ask;
        bool fallback = request.ApprovalSource == "ask-fallback";
        bool approved = !fallback && (request.Approved || request.ApprovalDecision is "allow-once" or "allow-always");
        if (fallback)
        {
            security = Min(Min(security, policy.AskFallback), ExecSecurity.Allowlist);
            ask = ExecAsk.Off;
        }
        if (security == ExecSecurity.Deny)
        {
            return ExecDecision.Deny("security=deny", $"SYSTEM_RUN_DISABLED: security=deny ({policy.Describe()}{(fallback ? ", after an approval timeout with askFallback=" + ExecModeNames.Name(policy.AskFallback) : string.Empty)})");
        }
        // The machine policy's deniedCommands come before any approval: nothing an operator approves can run them.
        Analysis analysis = Analyze(request.Command, cwd);
        if ((machine ?? Policy.MachinePolicy.None).DeniedReason(request.Command[0], analysis.Target?.Lexical, analysis.Target?.Real) is string denied)
        {
            return ExecDecision.Deny("security=deny", "SYSTEM_RUN_DENIED: " + denied + ".");
        }
        if (approved && PlanProblem(request, cwd, policy) is string planProblem)
        {
            return ExecDecision.Deny("approval-required", "SYSTEM_RUN_DENIED: " + planProblem);
        }

        var matched = new List<(string AgentId, string EntryId, string Pattern)>();
        bool satisfied = analysis.Target is Target t && MatchAll(policy, t, cwd, matched);
        bool requiresAsk = ask == ExecAsk.Always || (ask == ExecAsk.OnMiss && security == ExecSecurity.Allowlist && !satisfied);
        string what = SafeText.Escape(analysis.Target?.Real ?? analysis.Target?.Lexical ?? request.Command[0]);
        if (requiresAsk && !approved)
        {
            string why = ask == ExecAsk.Always ? "ask=always requires an approval for every command"
                : analysis.Problem ?? $"{what} matches no allowlist entry and ask=on-miss";
            return ExecDecision.Deny("approval-required", $"SYSTEM_RUN_DENIED: approval required ({why}; {policy.Describe()}). Approve it on the gateway (openclaw approvals) or add an allowlist entry.");
        }
        if (security == ExecSecurity.Allowlist && !satisfied && !approved)
        {
            string why = analysis.Problem ?? $"{what} matches no allowlist entry";
            string windowsHint = _windows && analysis.Target is null && ShellWrappers.IsShellWrapper(request.Command)
                ? " (Windows shell wrappers like cmd.exe /c require approval)" : string.Empty;
            return ExecDecision.Deny("allowlist-miss", $"SYSTEM_RUN_DENIED: allowlist miss{windowsHint}: {why} ({policy.Describe()}).");
        }
        if (record && matched.Count > 0)
        {
            _store.RecordUse(matched, request.DisplayText, analysis.Target?.Real ?? analysis.Target?.Lexical, _clock());
        }
        if (record && approved && request.ApprovalDecision == "allow-always" && analysis.Target is Target at && at.Real is not null)
        {
            PersistAllowAlways(policy.AgentKey == "default" ? "*" : policy.AgentKey, at, cwd);
        }
        return ExecDecision.Allow;
    }

    private static ExecSecurity Min(ExecSecurity a, ExecSecurity b) => (ExecSecurity)Math.Min((int)a, (int)b);

    /// <summary>
    /// Finds the executable that will really run: rejects shell wrappers and command hosts, unwraps the simple dispatch
    /// wrappers (env without assignments, nice, nohup, setsid, time, timeout, stdbuf) and refuses the rest.
    /// </summary>
    internal Analysis Analyze(IReadOnlyList<string> argv, string cwd)
    {
        if (ShellWrappers.IsShellWrapper(argv))
        {
            return new Analysis(null, $"'{SafeText.Escape(CommandText.Format(argv))}' is a shell wrapper: its payload is shell text, which allowlist entries never cover");
        }
        var rest = argv.ToList();
        for (int depth = 0; depth < 8 && rest.Count > 0; depth++)
        {
            string name = CommandHosts.BaseName(rest[0]);
            if (UnsafeDispatchWrappers.Contains(name))
            {
                return new Analysis(null, $"'{SafeText.Escape(rest[0])}' runs another command in a way that cannot be checked safely");
            }
            int skip = DispatchSkip(name, rest, out string? problem);
            if (problem is not null) { return new Analysis(null, problem); }
            if (skip == 0) { break; }
            rest = rest.Skip(skip).ToList();
            if (rest.Count == 0) { return new Analysis(null, $"'{name}' without a command"); }
            if (ShellWrappers.IsShellWrapper(rest))
            {
                return new Analysis(null, $"'{SafeText.Escape(CommandText.Format(rest))}' is a shell wrapper behind {name}: allowlist entries never cover it");
            }
        }
        string argv0 = rest[0];
        bool hadPath = PathResolver.HasPathSeparator(argv0);
        string? lexical = Directory.Exists(cwd) ? _resolver.ResolveExecutable(argv0, cwd) : null;
        if (lexical is null) { return new Analysis(null, $"'{SafeText.Escape(argv0)}' was not found on this node's PATH"); }
        string real = RealPath.Resolve(lexical);
        if (CommandHosts.IsCommandHost(lexical) || CommandHosts.IsCommandHost(real) || CommandHosts.IsCommandHost(argv0) || CommandHosts.IsBatchScript(lexical))
        {
            return new Analysis(null, $"{lexical}{(real != lexical ? " (" + real + ")" : string.Empty)} is a shell or command host, which allowlist entries never cover");
        }
        return new Analysis(new Target(rest, lexical, real, hadPath), null);
    }

    /// <summary>How many leading arguments a simple dispatch wrapper takes before the inner command; 0 when argv[0] is not one.</summary>
    private static int DispatchSkip(string name, List<string> argv, out string? problem)
    {
        problem = null;
        switch (name)
        {
            case "env":
                if (argv.Count > 1 && (argv[1].StartsWith("-", StringComparison.Ordinal) || argv[1].IndexOf('=') >= 0))
                {
                    problem = "'env' with options or variable assignments changes how the inner command runs; it needs an approval";
                    return 0;
                }
                return 1;
            case "nohup":
            case "setsid":
            case "time":
                return argv.Count > 1 && argv[1].StartsWith("-", StringComparison.Ordinal) ? Unsupported(name, out problem) : 1;
            case "nice":
                if (argv.Count > 2 && argv[1] == "-n") { return 3; }
                if (argv.Count > 1 && argv[1].Length > 1 && argv[1][0] == '-' && int.TryParse(argv[1].Substring(1), out _)) { return 2; }
                return argv.Count > 1 && argv[1].StartsWith("-", StringComparison.Ordinal) ? Unsupported(name, out problem) : 1;
            case "timeout":
            {
                int i = 1;
                while (i < argv.Count && argv[i].StartsWith("-", StringComparison.Ordinal))
                {
                    if (argv[i] is "-s" or "-k" or "--signal" or "--kill-after") { i += 2; }
                    else if (argv[i] is "--foreground" or "--preserve-status" or "-v" or "--verbose") { i += 1; }
                    else { return Unsupported(name, out problem); }
                }
                return i + 1;   // the duration
            }
            case "stdbuf":
            {
                int i = 1;
                while (i < argv.Count && argv[i].StartsWith("-", StringComparison.Ordinal)) { i++; }
                return i;
            }
            default:
                return 0;
        }
    }

    private static int Unsupported(string name, out string? problem)
    {
        problem = $"'{name}' with these options cannot be unwrapped safely; it needs an approval";
        return 0;
    }

    private bool MatchAll(EffectivePolicy policy, Target target, string cwd, List<(string, string, string)> matched)
    {
        // autoAllowSkills: a bare name the gateway's skills use counts as allowlisted (spec §6.2 skills.bins).
        if (policy.AutoAllowSkills && !target.HadPath)
        {
            foreach (string bin in _skillBins())
            {
                if (string.Equals(bin, target.Argv[0], _windows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)) { return true; }
            }
        }
        foreach (var (agentId, entry) in policy.Allowlist)
        {
            if (Matches(entry, target, cwd))
            {
                matched.Add((agentId, entry.Id, entry.Pattern));
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether one allowlist entry covers the target (spec §9.5, with command hosts never covered).</summary>
    internal bool Matches(ExecAllowlistEntry entry, Target target, string cwd)
    {
        if (CommandHosts.RefusePattern(entry.Pattern) is not null) { return false; }
        bool allowAlways = entry.Source == "allow-always";
        if (allowAlways && entry.ArgPattern is null) { return false; }
        bool pathOk;
        string pattern = entry.Pattern.Trim();
        if (pattern == "*" && entry.ArgPattern is null && !allowAlways)
        {
            pathOk = true;
        }
        else if (pattern.IndexOf('/') >= 0 || pattern.IndexOf('\\') >= 0 || pattern.StartsWith("~", StringComparison.Ordinal))
        {
            string expanded = pattern.StartsWith("~", StringComparison.Ordinal) ? HostPlatform.HomeDirectory + pattern.Substring(1) : pattern;
            pathOk = (target.Lexical is not null && Glob.IsMatch(expanded, target.Lexical, _windows))
                || (target.Real is not null && Glob.IsMatch(expanded, target.Real, _windows));
        }
        else
        {
            if (target.HadPath) { return false; }   // bare names only match PATH-invoked commands
            string argv0 = target.Argv[0];
            string baseName = Path.GetFileName(target.Lexical ?? argv0);
            pathOk = Glob.IsMatch(pattern, argv0, _windows) || Glob.IsMatch(pattern, baseName, _windows)
                || (_windows && Glob.IsMatch(pattern, Path.GetFileNameWithoutExtension(baseName), _windows));
        }
        if (!pathOk) { return false; }
        return entry.ArgPattern is null || ArgPatterns.Matches(entry.ArgPattern, target.Argv, cwd, _windows);
    }

    /// <summary>
    /// Checks an approval-bound run against its plan (spec §8.2 step 1, §8.3): argv, command text, cwd, agent and session
    /// must equal the plan's; the policy must not have changed since the plan; the cwd must not contain a symlink; the
    /// bound file operand must still hash the same. Returns why the run is refused, or null.
    /// </summary>
    internal string? PlanProblem(SystemRunRequest request, string cwd, EffectivePolicy policy)
    {
        JsonObject? plan = request.SystemRunPlan;
        if (plan is null) { return "explicit approval requires matching systemRunPlan"; }
        List<string>? argv = plan.StrArray("argv");
        if (argv is null || !argv.SequenceEqual(request.Command, StringComparer.Ordinal)) { return "explicit approval requires matching systemRunPlan (argv differs)"; }
        if (plan.Str("commandText") is string text && request.RawCommand is string raw && text.Trim() != raw.Trim()) { return "explicit approval requires matching systemRunPlan (command text differs)"; }
        if (plan.Str("cwd") is string planCwd && ArgPatterns.NormaliseCwd(planCwd) != ArgPatterns.NormaliseCwd(cwd)) { return "explicit approval requires matching systemRunPlan (cwd differs)"; }
        if (plan.Str("agentId") is string agent && agent != request.AgentId) { return "explicit approval requires matching systemRunPlan (agent differs)"; }
        if (plan.Str("sessionKey") is string session && session != request.SessionKey) { return "explicit approval requires matching systemRunPlan (session differs)"; }
        if (plan.Obj("policySnapshot") is JsonObject snap && !JsonNode.DeepEquals(snap, policy.ToSnapshot()))
        {
            return "exec approval policy changed; request approval again";
        }
        if (request.Cwd is not null && Directory.Exists(cwd) && ArgPatterns.NormaliseCwd(RealPath.Resolve(cwd)) != ArgPatterns.NormaliseCwd(Path.GetFullPath(cwd)))
        {
            return $"the working directory {cwd} goes through a symbolic link; approval-bound runs need a real path";
        }
        if (plan.Obj("mutableFileOperand") is JsonObject operand)
        {
            string? path = operand.Str("path");
            string? sha = operand.Str("sha256");
            try
            {
                if (path is null || sha is null || !File.Exists(path) || Hex.Sha256(File.ReadAllBytes(path)) != sha)
                {
                    return "approval script operand drift: the approved file changed or disappeared";
                }
            }
            catch (IOException)
            {
                return "approval script operand drift: the approved file cannot be read";
            }
        }
        return null;
    }

    private void PersistAllowAlways(string agentId, Target target, string cwd)
    {
        ExecApprovalsSnapshot snap = _store.Load();
        if (snap.Document is null && snap.Exists) { return; }
        ExecApprovalsDocument doc = snap.Document ?? ExecApprovalsDocument.Empty;
        string argPattern = ArgPatterns.CwdArgv(cwd, target.Argv);
        var agents = new Dictionary<string, ExecAgentEntry>(StringComparer.Ordinal);
        foreach (var kv in doc.Agents) { agents[kv.Key] = kv.Value; }
        agents.TryGetValue(agentId, out ExecAgentEntry? agent);
        agent ??= new ExecAgentEntry();
        if (agent.Allowlist.Any(e => e.Pattern == target.Real && e.ArgPattern == argPattern)) { return; }
        var list = agent.Allowlist.ToList();
        list.Add(new ExecAllowlistEntry { Pattern = target.Real!, ArgPattern = argPattern, Source = "allow-always", LastUsedAt = _clock(), LastResolvedPath = target.Real });
        agents[agentId] = agent with { Allowlist = list };
        try { _store.Replace(doc.With(agents: agents), snap.Hash); }
        catch (Exception ex) when (ex is ExecApprovalsConflictException or State.StateFileException or IOException)
        {
            // The approved run goes ahead; the durable rule is simply not stored this time.
        }
    }
}
