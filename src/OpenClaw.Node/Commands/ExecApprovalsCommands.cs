using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Commands;

/// <summary>How remote edits (<c>system.execApprovals.set</c> from the gateway) are treated; set in node.json as <c>execApprovals.remoteEdits</c>.</summary>
public enum RemoteEditPolicy
{
    /// <summary>Any valid edit with the right base hash (the official host's behaviour; the default).</summary>
    Allow,
    /// <summary>Only edits that make the policy stricter: no looser mode, no new allowlist entry, no autoAllowSkills.</summary>
    TightenOnly,
    /// <summary>No remote edits; the policy is managed locally (Intune, DSC, Edit-OpenClawExecApproval).</summary>
    Deny,
}

/// <summary><c>system.execApprovals.get</c> (spec §8.5): the file-backed snapshot <c>{path, exists, hash, file}</c> with the socket token removed.</summary>
internal sealed class ExecApprovalsGetCommand : INodeCommand
{
    private readonly ExecApprovalsStore _store;

    public ExecApprovalsGetCommand(ExecApprovalsStore store) => _store = store;

    public string Name => "system.execApprovals.get";

    public Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken ct)
    {
        ExecApprovalsSnapshot snap = _store.Load();
        if (snap.Error is not null) { return Task.FromResult(CommandResult.Fail("UNAVAILABLE", "UNAVAILABLE: " + snap.Error)); }
        return Task.FromResult(CommandResult.Success(ToPayload(snap, _store, context.Params.Bool("includeResolvedDefaults") == true)));
    }

    internal static JsonObject ToPayload(ExecApprovalsSnapshot snap, ExecApprovalsStore store, bool resolvedDefaults)
    {
        ExecApprovalsDocument doc = snap.Document ?? ExecApprovalsDocument.Empty.With(socketPath: System.IO.Path.Combine(store.StateDirectory, "exec-approvals.sock"));
        var payload = new JsonObject
        {
            ["path"] = snap.Path,
            ["exists"] = snap.Exists,
            ["hash"] = snap.Hash,
            ["file"] = doc.ToJson(includeSocketToken: false),
        };
        if (resolvedDefaults)
        {
            EffectivePolicy p = EffectivePolicy.Resolve(doc, null);
            payload["resolvedDefaults"] = new JsonObject
            {
                ["security"] = ExecModeNames.Name(p.Security),
                ["ask"] = ExecModeNames.Name(p.Ask),
                ["askFallback"] = ExecModeNames.Name(p.AskFallback),
                ["autoAllowSkills"] = p.AutoAllowSkills,
            };
        }
        return payload;
    }
}

/// <summary>
/// <c>system.execApprovals.set</c> (spec §8.5): params <c>{file, baseHash}</c>; validates the document, refuses allowlist
/// entries that name a shell, applies the node's <see cref="RemoteEditPolicy"/>, compares the base hash, stores, and
/// returns the new snapshot.
/// </summary>
internal sealed class ExecApprovalsSetCommand : INodeCommand
{
    private readonly ExecApprovalsStore _store;
    private readonly Func<RemoteEditPolicy> _remote;
    private readonly Func<Policy.MachinePolicy> _machine;

    public ExecApprovalsSetCommand(ExecApprovalsStore store, Func<RemoteEditPolicy> remote, Func<Policy.MachinePolicy>? machinePolicy = null)
    {
        _store = store;
        _remote = remote;
        _machine = machinePolicy ?? (() => Policy.MachinePolicy.None);
    }

    public string Name => "system.execApprovals.set";

    public Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken ct)
    {
        if (context.Params["file"] is not JsonObject file) { return Task.FromResult(CommandResult.Invalid("exec approvals file required")); }
        ExecApprovalsDocument next;
        try { next = ExecApprovalsDocument.FromJson(file, "exec approvals file"); }
        catch (ExecApprovalsFormatException ex) { return Task.FromResult(CommandResult.Invalid(ex.Message)); }
        if (ValidatePatterns(next) is string refused) { return Task.FromResult(CommandResult.Invalid(refused)); }

        RemoteEditPolicy mode = _remote();
        if (mode == RemoteEditPolicy.Deny)
        {
            return Task.FromResult(CommandResult.Invalid("exec approvals on this node are managed locally (node.json execApprovals.remoteEdits = deny); remote edits are refused"));
        }
        if (_machine().Exceeds(next) is string beyond)
        {
            return Task.FromResult(CommandResult.Invalid($"exec approvals on this node may not exceed the machine policy, so this edit is refused: {beyond}. Tighten the document, or ask the machine's administrator to change the policy."));
        }
        ExecApprovalsSnapshot current = _store.Load();
        if (mode == RemoteEditPolicy.TightenOnly)
        {
            if (current.Error is not null) { return Task.FromResult(CommandResult.Fail("UNAVAILABLE", "UNAVAILABLE: " + current.Error)); }
            if (Loosens(current.Effective!, next) is string why)
            {
                return Task.FromResult(CommandResult.Invalid($"exec approvals on this node may only be tightened remotely (node.json execApprovals.remoteEdits = tighten-only): {why}"));
            }
        }
        try
        {
            ExecApprovalsSnapshot saved = _store.Replace(next, context.Params.Str("baseHash"));
            context.Log.Write(Hosting.NodeLogLevel.Info, $"Exec approvals replaced by the gateway (new hash {saved.Hash.Substring(0, 12)}…).");
            return Task.FromResult(CommandResult.Success(ExecApprovalsGetCommand.ToPayload(saved, _store, false)));
        }
        catch (ExecApprovalsConflictException ex)
        {
            return Task.FromResult(CommandResult.Invalid(ex.Message));
        }
        catch (StateFileException ex)
        {
            return Task.FromResult(CommandResult.Fail("UNAVAILABLE", "UNAVAILABLE: " + ex.Message));
        }
    }

    /// <summary>The reason a document's allowlist may not be stored, or null.</summary>
    internal static string? ValidatePatterns(ExecApprovalsDocument doc)
    {
        foreach (var kv in doc.Agents)
        {
            foreach (ExecAllowlistEntry e in kv.Value.Allowlist)
            {
                if (CommandHosts.RefusePattern(e.Pattern) is string why) { return $"agents.{kv.Key}.allowlist: {why}"; }
            }
        }
        return null;
    }

    /// <summary>How <paramref name="next"/> would loosen <paramref name="current"/>, or null when it does not.</summary>
    internal static string? Loosens(ExecApprovalsDocument current, ExecApprovalsDocument next)
    {
        var keys = new HashSet<string>(current.Agents.Keys.Concat(next.Agents.Keys)) { "default" };
        foreach (string agent in keys)
        {
            EffectivePolicy before = EffectivePolicy.Resolve(current, agent == "default" ? null : agent);
            EffectivePolicy after = EffectivePolicy.Resolve(next, agent == "default" ? null : agent);
            string who = agent == "default" ? "the defaults" : $"agent '{agent}'";
            if (after.Security > before.Security) { return $"{who}: security {ExecModeNames.Name(before.Security)} -> {ExecModeNames.Name(after.Security)}"; }
            if (after.Ask < before.Ask) { return $"{who}: ask {ExecModeNames.Name(before.Ask)} -> {ExecModeNames.Name(after.Ask)}"; }
            if (after.AskFallback > before.AskFallback) { return $"{who}: askFallback {ExecModeNames.Name(before.AskFallback)} -> {ExecModeNames.Name(after.AskFallback)}"; }
            if (after.AutoAllowSkills && !before.AutoAllowSkills) { return $"{who}: autoAllowSkills turned on"; }
            var old = new HashSet<string>(before.Allowlist.Select(x => x.Entry.Pattern + "\u0000" + x.Entry.ArgPattern));
            foreach (var (_, e) in after.Allowlist)
            {
                if (!old.Contains(e.Pattern + "\u0000" + e.ArgPattern)) { return $"{who}: new allowlist entry '{e.Pattern}'"; }
            }
        }
        return null;
    }
}

/// <summary>
/// <c>system.run.prepare</c> (spec §8.3): resolves and pins what an approval will be bound to and returns
/// <c>{plan, execPolicy, allowAlwaysCoverage}</c>.
/// </summary>
internal sealed class SystemRunPrepareCommand : INodeCommand
{
    private readonly ExecApprovalsStore _store;
    private readonly ExecApprovalGate _gate;
    private readonly EnvPolicy _env;
    private readonly Func<string> _defaultCwd;

    public SystemRunPrepareCommand(ExecApprovalsStore store, ExecApprovalGate gate, EnvPolicy env, Func<string>? defaultCwd = null)
    {
        _store = store;
        _gate = gate;
        _env = env;
        _defaultCwd = defaultCwd ?? System.IO.Directory.GetCurrentDirectory;
    }

    public string Name => "system.run.prepare";

    public Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken ct)
    {
        if (!SystemRunCommand.TryParse(context.Params, out SystemRunRequest? req, out string? problem)) { return Task.FromResult(CommandResult.Invalid(problem!)); }
        SystemRunRequest request = req!;
        EnvCheck env = _env.CheckOverrides(request.Env, HostPlatform.IsWindows);
        if (!env.Ok)
        {
            return Task.FromResult(CommandResult.Invalid("SYSTEM_RUN_DENIED: environment override rejected (blocked override keys: " + string.Join(", ", env.Blocked.Concat(env.Invalid)) + ")"));
        }
        string cwd = request.Cwd ?? _defaultCwd();
        if (!System.IO.Directory.Exists(cwd))
        {
            return Task.FromResult(CommandResult.Invalid($"SYSTEM_RUN_DENIED: working directory does not exist or is inaccessible: {cwd}"));
        }
        string realCwd = RealPath.Resolve(cwd);
        ExecApprovalsSnapshot snap = _store.Load();
        if (snap.Effective is null) { return Task.FromResult(CommandResult.Fail("UNAVAILABLE", "UNAVAILABLE: " + snap.Error)); }
        EffectivePolicy policy = _gate.Resolve(snap.Effective, request.AgentId);
        ExecSecurity security = policy.Security;
        ExecAsk ask = policy.Ask;
        if (ExecModeNames.ParseSecurity(context.Params.Str("security")) is ExecSecurity s && s < security) { security = s; }
        if (ExecModeNames.ParseAsk(context.Params.Str("ask")) is ExecAsk a && a > ask) { ask = a; }

        ExecApprovalGate.Analysis analysis = _gate.Analyze(request.Command, realCwd);
        var argv = request.Command.ToList();
        JsonNode? operand = null;
        var patterns = new JsonArray();
        bool complete = false;
        if (analysis.Target is ExecApprovalGate.Target t && t.Real is not null)
        {
            if (t.Argv.Count == argv.Count) { argv[0] = t.Real; }   // pin the executable when nothing wraps it
            try
            {
                operand = new JsonObject { ["argvIndex"] = argv.Count - t.Argv.Count, ["path"] = t.Real, ["sha256"] = Hex.Sha256(System.IO.File.ReadAllBytes(t.Real)) };
            }
            catch (System.IO.IOException) { operand = null; }
            patterns.Add((JsonNode)new JsonObject { ["pattern"] = t.Real, ["argPattern"] = ArgPatterns.CwdArgv(realCwd, t.Argv) });
            complete = t.Argv.Count == argv.Count;
        }
        string commandText = CommandText.Format(argv);
        string? preview = !string.IsNullOrWhiteSpace(request.RawCommand) && request.RawCommand!.Trim() != commandText ? request.RawCommand.Trim() : null;
        var plan = new JsonObject
        {
            ["argv"] = Json.ToArray(argv),
            ["cwd"] = realCwd,
            ["commandText"] = commandText,
            ["commandPreview"] = preview is null ? null : JsonValue.Create(preview),
            ["agentId"] = request.AgentId is null ? null : JsonValue.Create(request.AgentId),
            ["sessionKey"] = request.SessionKeyGiven ? JsonValue.Create(request.SessionKey) : null,
        };
        if (operand is not null) { plan["mutableFileOperand"] = operand; }
        plan["policySnapshot"] = policy.ToSnapshot();
        var result = new JsonObject
        {
            ["plan"] = plan,
            ["execPolicy"] = new JsonObject { ["security"] = ExecModeNames.Name(security), ["ask"] = ExecModeNames.Name(ask) },
            ["allowAlwaysCoverage"] = new JsonObject { ["complete"] = complete, ["patterns"] = patterns },
        };
        return Task.FromResult(CommandResult.Success(result));
    }
}
