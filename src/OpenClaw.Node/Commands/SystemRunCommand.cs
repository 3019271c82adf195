using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Commands;

/// <summary>A policy decision for one <c>system.run</c> request.</summary>
internal sealed record ExecDecision(bool Allowed, string? Reason, string? Message)
{
    public static readonly ExecDecision Allow = new(true, null, null);

    public static ExecDecision Deny(string reason, string message) => new(false, reason, message);
}

/// <summary>The exec-approvals check that stands between a request and a process.</summary>
internal interface IExecGate
{
    /// <summary>Decides whether <paramref name="request"/> may run in <paramref name="cwd"/>; <paramref name="resolvedPath"/> is argv[0] found on PATH (null when not found).</summary>
    ExecDecision Evaluate(SystemRunRequest request, string cwd, string? resolvedPath);
}

/// <summary>A decoded <c>system.run</c> request (spec §8.2).</summary>
internal sealed record SystemRunRequest(
    IReadOnlyList<string> Command, string? RawCommand, string? Cwd, IReadOnlyDictionary<string, string> Env, int? TimeoutMs,
    bool NeedsScreenRecording, string? AgentId, string SessionKey, string RunId, bool SuppressNotifyOnExit,
    bool Approved, string? ApprovalDecision, string? ApprovalSource = null, JsonObject? SystemRunPlan = null, bool SessionKeyGiven = false)
{
    /// <summary>The text shown in exec events: rawCommand when given, else the canonical formatting of the argv.</summary>
    public string DisplayText => string.IsNullOrWhiteSpace(RawCommand) ? CommandText.Format(Command) : RawCommand!.Trim();

    /// <summary><see cref="DisplayText"/> for logs: secret-looking values masked, invisible and direction-changing characters escaped.</summary>
    public string SafeDisplayText => Internal.SafeText.Escape(Internal.SafeText.Redact(DisplayText)) + (Internal.SafeText.HasMixedScripts(DisplayText) ? " [warning: mixes Latin with Cyrillic/Greek letters]" : string.Empty);
}

/// <summary>
/// <c>system.run</c> (spec §8.2): validate, sanitise env, ask the exec gate, run argv directly (no shell added), then send
/// <c>exec.finished</c> (or <c>exec.denied</c>) before the result <c>{exitCode?, timedOut, success, stdout, stderr, error}</c>.
/// </summary>
internal sealed class SystemRunCommand : INodeCommand
{
    public const int OutputCapBytes = 200_000;
    public const int EventOutputChars = 20_000;
    private const string TruncatedSuffix = "\n... (truncated)";

    private readonly PathResolver _resolver;
    private readonly IExecGate _gate;
    private readonly EnvPolicy _env;
    private readonly Func<string> _defaultCwd;

    public SystemRunCommand(PathResolver resolver, IExecGate gate, EnvPolicy env, Func<string>? defaultCwd = null)
    {
        _resolver = resolver;
        _gate = gate;
        _env = env;
        _defaultCwd = defaultCwd ?? Directory.GetCurrentDirectory;
    }

    public string Name => "system.run";

    public async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken ct)
    {
        if (!TryParse(context.Params, out SystemRunRequest? req, out string? problem)) { return CommandResult.Invalid(problem!); }
        SystemRunRequest request = req!;
        bool windows = HostPlatform.IsWindows;
        if (RawCommandMismatch(request) is string mismatch) { return CommandResult.Invalid(mismatch); }

        EnvCheck env = _env.CheckOverrides(request.Env, windows);
        if (env.Invalid.Count > 0)
        {
            return CommandResult.Invalid("SYSTEM_RUN_DENIED: environment override rejected (invalid non-portable override keys: " + string.Join(", ", env.Invalid) + ")");
        }
        if (env.Blocked.Count > 0)
        {
            return CommandResult.Invalid("SYSTEM_RUN_DENIED: environment override rejected (blocked override keys: " + string.Join(", ", env.Blocked) + ")");
        }

        if (request.NeedsScreenRecording)
        {
            return await DenyAsync(context, request, "permission:screenRecording", "PERMISSION_MISSING: screenRecording", ct).ConfigureAwait(false);
        }

        string cwd = request.Cwd ?? _defaultCwd();
        string? resolved = Directory.Exists(cwd) ? _resolver.ResolveExecutable(request.Command[0], cwd) : null;

        ExecDecision decision = _gate.Evaluate(request, cwd, resolved);
        if (!decision.Allowed)
        {
            return await DenyAsync(context, request, decision.Reason ?? "security=deny", decision.Message ?? "SYSTEM_RUN_DENIED: denied", ct).ConfigureAwait(false);
        }

        ProcessOutcome outcome;
        if (!Directory.Exists(cwd))
        {
            outcome = new ProcessOutcome(null, false, string.Empty, string.Empty, File.Exists(cwd)
                ? $"node exec working directory is a file, not a directory, on the node host: {cwd} (os reported: ENOTDIR: not a directory)"
                : $"node exec working directory does not exist on the node host: {cwd} (os reported: ENOENT: no such file or directory)", false, null);
        }
        else if (resolved is null)
        {
            outcome = new ProcessOutcome(null, false, string.Empty, string.Empty, "Command failed during launch or output capture (ENOENT)", false, null);
        }
        else
        {
            var childEnv = BuildEnvironment(env.Accepted, ShellWrappers.IsShellWrapper(request.Command));
            var args = new List<string>(request.Command.Count - 1);
            for (int i = 1; i < request.Command.Count; i++) { args.Add(request.Command[i]); }
            context.Log.Write(NodeLogLevel.Info, $"system.run {context.InvokeId}: {SafeText.Escape(resolved)} ({args.Count} argument(s)) in {SafeText.Escape(cwd)}: {request.SafeDisplayText}");
            outcome = await ProcessRunner.RunAsync(resolved, args, cwd, childEnv, request.TimeoutMs, OutputCapBytes,
                pid => context.Log.Write(NodeLogLevel.Debug, $"system.run {context.InvokeId}: started pid {pid}"), ct).ConfigureAwait(false);
        }

        JsonObject payload = ToPayload(outcome);
        await SendFinishedAsync(context, request, outcome, payload, ct).ConfigureAwait(false);
        return CommandResult.Success(payload);
    }

    /// <summary>
    /// spec §9.7: a <c>rawCommand</c> (trimmed) must equal the canonical text of the argv or, for a shell wrapper, its inline
    /// payload; anything else is refused so what an operator approved and what runs cannot differ.
    /// </summary>
    internal static string? RawCommandMismatch(SystemRunRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.RawCommand)) { return null; }
        string raw = request.RawCommand!.Trim();
        if (raw == CommandText.Format(request.Command)) { return null; }
        if (ShellWrappers.IsShellWrapper(request.Command) && raw == request.Command[request.Command.Count - 1].Trim()) { return null; }
        return "RAW_COMMAND_MISMATCH: rawCommand does not match the command argv";
    }

    /// <summary>The result payload of spec §8.2, with the truncation suffix on stderr (or stdout when stderr is empty).</summary>
    internal static JsonObject ToPayload(ProcessOutcome o)
    {
        string stdout = o.Stdout;
        string stderr = o.Stderr;
        if (o.Truncated)
        {
            if (stderr.Length > 0) { stderr += TruncatedSuffix; } else { stdout += TruncatedSuffix; }
        }
        var payload = new JsonObject();
        if (o.ExitCode is int code) { payload["exitCode"] = code; }
        payload["timedOut"] = o.TimedOut;
        payload["success"] = o.ExitCode == 0 && !o.TimedOut && o.Error is null;
        payload["stdout"] = stdout;
        payload["stderr"] = stderr;
        payload["error"] = o.Error is null ? null : JsonValue.Create(o.Error);
        return payload;
    }

    private Dictionary<string, string> BuildEnvironment(IReadOnlyDictionary<string, string> overrides, bool shellWrapper)
    {
        var env = new Dictionary<string, string>(HostPlatform.IsWindows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            string key = (string)e.Key;
            if (_env.KeepInherited(key) && !Hosting.HostEnvironment.IsHostOnly(key)) { env[key] = (string?)e.Value ?? string.Empty; }
        }
        foreach (var kv in overrides)
        {
            if (shellWrapper && !EnvPolicy.AllowedForShellWrapper(kv.Key)) { continue; }
            env[kv.Key] = kv.Value;
        }
        return env;
    }

    private static async Task<CommandResult> DenyAsync(InvokeContext context, SystemRunRequest request, string reason, string message, CancellationToken ct)
    {
        context.Log.Write(NodeLogLevel.Warning, $"system.run {context.InvokeId} denied ({reason}): {request.SafeDisplayText}");
        var evt = new JsonObject
        {
            ["sessionKey"] = request.SessionKey,
            ["runId"] = request.RunId,
            ["host"] = "node",
            ["command"] = request.DisplayText,
            ["reason"] = reason,
            ["suppressNotifyOnExit"] = request.SuppressNotifyOnExit,
        };
        await context.SendNodeEventAsync("exec.denied", evt, ct).ConfigureAwait(false);
        return CommandResult.Fail("SYSTEM_RUN_DENIED", message);
    }

    private static Task SendFinishedAsync(InvokeContext context, SystemRunRequest request, ProcessOutcome o, JsonObject payload, CancellationToken ct)
    {
        var parts = new List<string>();
        if (o.Stdout.Length > 0) { parts.Add(o.Stdout); }
        if (o.Stderr.Length > 0) { parts.Add(o.Stderr); }
        if (o.Error is not null) { parts.Add(o.Error); }
        string output = string.Join("\n", parts).Trim();
        if (output.Length > EventOutputChars) { output = "... (truncated) " + output.Substring(output.Length - EventOutputChars); }
        var evt = new JsonObject
        {
            ["sessionKey"] = request.SessionKey,
            ["runId"] = request.RunId,
            ["host"] = "node",
            ["command"] = request.DisplayText,
        };
        if (o.ExitCode is int code) { evt["exitCode"] = code; }
        evt["timedOut"] = o.TimedOut;
        evt["success"] = payload.Bool("success") ?? false;
        evt["output"] = output;
        evt["suppressNotifyOnExit"] = request.SuppressNotifyOnExit;
        return context.SendNodeEventAsync("exec.finished", evt, ct);
    }

    /// <summary>Decodes and validates the params; <paramref name="problem"/> says what is wrong.</summary>
    internal static bool TryParse(JsonObject p, out SystemRunRequest? request, out string? problem)
    {
        request = null;
        problem = null;
        List<string>? command = p.StrArray("command");
        if (command is null || command.Count == 0 || command[0].Length == 0)
        {
            problem = "command required (a non-empty array of strings)";
            return false;
        }
        foreach (string a in command)
        {
            if (a.IndexOf('\0') >= 0) { problem = "command arguments must not contain NUL characters"; return false; }
        }
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (p["env"] is JsonNode envNode)
        {
            if (envNode is not JsonObject envObj) { problem = "env must be an object of string values"; return false; }
            foreach (var kv in envObj)
            {
                if (kv.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String) { env[kv.Key] = v.GetValue<string>(); }
                else { problem = $"env value for '{SafeText.Escape(kv.Key)}' must be a string"; return false; }
                if (kv.Key.IndexOf('\0') >= 0 || env[kv.Key].IndexOf('\0') >= 0)
                {
                    // The OS passes environment strings NUL-terminated: the child would silently see a shorter value.
                    problem = $"env entry '{SafeText.Escape(kv.Key)}' must not contain NUL characters";
                    return false;
                }
            }
        }
        string? cwd = p.Str("cwd");
        if (p["cwd"] is not null && cwd is null) { problem = "cwd must be a string"; return false; }
        if (cwd is not null && cwd.Trim().Length == 0) { cwd = null; }
        if (cwd is not null && cwd.IndexOf('\0') >= 0) { problem = "cwd must not contain NUL characters"; return false; }
        long? timeout = p.Long("timeoutMs");
        if (p["timeoutMs"] is not null && timeout is null) { problem = "timeoutMs must be an integer"; return false; }
        int? timeoutMs = timeout is long t && t > 0 ? (int)Math.Min(t, int.MaxValue) : null;
        string runId = p.Str("runId") ?? Guid.NewGuid().ToString();
        if (p["systemRunPlan"] is JsonNode plan && plan is not JsonObject) { problem = "systemRunPlan must be an object"; return false; }
        request = new SystemRunRequest(command, p.Str("rawCommand"), cwd, env, timeoutMs,
            p.Bool("needsScreenRecording") ?? false, p.Str("agentId"), p.Str("sessionKey") ?? "node", runId,
            p.Bool("suppressNotifyOnExit") ?? false, p.Bool("approved") ?? false, p.Str("approvalDecision"),
            p.Str("approvalSource"), p["systemRunPlan"] as JsonObject, p.Str("sessionKey") is not null);
        return true;
    }
}
