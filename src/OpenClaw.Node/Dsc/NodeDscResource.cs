using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Service;
using OpenClaw.Node.State;
using OpenClaw.Node.Status;

namespace OpenClaw.Node.Dsc;

/// <summary>Exit codes of <c>openclaw-node dsc</c>, as listed in the manifest's <c>exitCodes</c>.</summary>
public static class NodeDscExitCodes
{
    /// <summary>The operation succeeded.</summary>
    public const int Success = 0;

    /// <summary>An unexpected failure (the stderr error line says what).</summary>
    public const int Failure = 1;

    /// <summary>The instance JSON is invalid: not JSON, an unknown property, or a wrong type or value (the message names the property); or it asks for exec approvals beyond the machine policy's floor.</summary>
    public const int InvalidInput = 2;

    /// <summary>The service manager is unavailable or refused the operation, or the service did not keep running.</summary>
    public const int ServiceFailed = 3;

    /// <summary>A local file (node.json, exec-approvals.json, the token file) is unusable or could not be written.</summary>
    public const int StateFile = 78;
}

/// <summary>What the resource needs from its host process: the service managers, the executable and the environment.</summary>
public sealed record NodeDscContext
{
    /// <summary>The controller of one scope (default <see cref="NodeServiceController.ForCurrentPlatform"/>); may throw <see cref="NodeServiceException"/> when the scope has no manager.</summary>
    public Func<NodeServiceScope, NodeServiceController> Controllers { get; init; } = s => NodeServiceController.ForCurrentPlatform(s);

    /// <summary>Fills <see cref="NodeServiceOptions.ExecutablePath"/> (and prefix arguments) from the instance's <c>executablePath</c> (null = this process).</summary>
    public Func<NodeServiceOptions, string?, NodeServiceOptions> WithExecutable { get; init; } = (o, path) => o with { ExecutablePath = path ?? string.Empty };

    /// <summary>The gateway token from the environment (<c>OPENCLAW_GATEWAY_TOKEN</c>), used when the instance has no <c>tokenFile</c>.</summary>
    public string? EnvironmentToken { get; init; }
}

/// <summary>The outcome of one DSC operation: the exit code, the stdout lines (JSON Lines) and the stderr messages.</summary>
public sealed record NodeDscResult
{
    /// <summary>See <see cref="NodeDscExitCodes"/>.</summary>
    public int ExitCode { get; init; }

    /// <summary>stdout, one JSON document per line: the state, then (test, set) the array of differing property names.</summary>
    public IReadOnlyList<string> Output { get; init; } = Array.Empty<string>();

    /// <summary>stderr JSON Lines DSC understands: <c>{"error":"..."}</c>, <c>{"warn":"..."}</c>, <c>{"info":"..."}</c>. Never a token.</summary>
    public IReadOnlyList<string> Messages { get; init; } = Array.Empty<string>();
}

/// <summary>
/// The DSC v3 command resource <c>OpenClaw/Node</c> (<c>openclaw-node dsc get|set|test|schema</c>): the desired state of
/// the node of one state directory. Get reads <c>node.json</c>, <c>exec-approvals.json</c>, the service manager and the
/// live status; test compares (<c>_inDesiredState</c> plus the names of differing properties); set changes only what
/// differs, through the existing operations (<see cref="NodeStateStore"/>, <see cref="ExecApprovalsEditor"/>,
/// <see cref="NodeServiceController"/>), and is idempotent; <c>_exist: false</c> uninstalls the service. The service
/// definition runs <c>openclaw-node run --state-dir D</c> with no gateway flags, so <c>node.json</c> is the one place the
/// gateway and display name live. Tokens never appear in input, output or messages: the token comes from the file named by
/// <c>tokenFile</c> or from <c>OPENCLAW_GATEWAY_TOKEN</c>.
/// </summary>
public sealed class NodeDscResource
{
    private readonly NodeDscContext _context;

    /// <summary>Creates the resource over <paramref name="context"/>.</summary>
    public NodeDscResource(NodeDscContext? context = null) => _context = context ?? new NodeDscContext();

    /// <summary>Runs one operation (<c>get</c>, <c>test</c>, <c>set</c>, <c>schema</c>) on the instance JSON <paramref name="input"/>.</summary>
    public NodeDscResult Invoke(string operation, string? input, bool whatIf = false)
    {
        var messages = new List<string>();
        try
        {
            switch (operation)
            {
                case "schema":
                    return new NodeDscResult { Output = new[] { Json.Serialize(NodeDscSchema.Create()) } };
                case "get":
                {
                    NodeDscInstance desired = NodeDscInstance.Parse(input);
                    return Ok(new[] { Json.Serialize(Get(desired).ToJson()) }, messages);
                }
                case "test":
                {
                    NodeDscInstance desired = NodeDscInstance.Parse(input);
                    NodeDscInstance actual = Get(desired);
                    List<string> diff = Diff(desired, actual);
                    return Ok(new[] { Json.Serialize((actual with { InDesiredState = diff.Count == 0 }).ToJson()), Json.Serialize(Json.ToArray(diff)) }, messages);
                }
                case "set":
                {
                    NodeDscInstance desired = NodeDscInstance.Parse(input);
                    (NodeDscInstance after, List<string> changed) = Set(desired, whatIf, messages);
                    return Ok(new[] { Json.Serialize(after.ToJson()), Json.Serialize(Json.ToArray(changed)) }, messages);
                }
                default:
                    return Fail(NodeDscExitCodes.InvalidInput, $"Unknown operation '{operation}'; use get, set, test or schema.", messages);
            }
        }
        catch (NodeDscInputException ex) { return Fail(NodeDscExitCodes.InvalidInput, ex.Message, messages); }
        catch (StateFileException ex) { return Fail(NodeDscExitCodes.StateFile, ex.Message, messages); }
        catch (NodeServiceException ex) { return Fail(NodeDscExitCodes.ServiceFailed, ex.Message, messages); }
        catch (NodeDscServiceFailure ex) { return Fail(NodeDscExitCodes.ServiceFailed, ex.Message, messages); }
        catch (ExecApprovalsPolicyException ex) { return Fail(NodeDscExitCodes.InvalidInput, ex.Message, messages); }
        catch (ExecApprovalsConflictException ex) { return Fail(NodeDscExitCodes.Failure, $"exec-approvals.json changed while it was being edited ({ex.Message}); run set again.", messages); }
        catch (TimeoutException ex) { return Fail(NodeDscExitCodes.Failure, ex.Message, messages); }
        catch (ArgumentException ex) { return Fail(NodeDscExitCodes.InvalidInput, ex.Message, messages); }
        catch (FileNotFoundException ex) { return Fail(NodeDscExitCodes.InvalidInput, "Property 'executablePath': " + ex.Message, messages); }
        catch (IOException ex) { return Fail(NodeDscExitCodes.StateFile, ex.Message, messages); }
        catch (UnauthorizedAccessException ex) { return Fail(NodeDscExitCodes.StateFile, ex.Message + " Run as the account that owns the state directory (root/Administrator for scope system).", messages); }
    }

    private static NodeDscResult Ok(string[] output, List<string> messages) => new() { ExitCode = NodeDscExitCodes.Success, Output = output, Messages = messages };

    private static NodeDscResult Fail(int code, string message, List<string> messages)
    {
        messages.Add(Message("error", message));
        return new NodeDscResult { ExitCode = code, Messages = messages };
    }

    private static string Message(string level, string text) => Json.Serialize(new JsonObject { [level] = text });

    private static NodeServiceScope ScopeOf(string? scope) => scope == "system" ? NodeServiceScope.System : NodeServiceScope.User;

    private static string ScopeName(NodeServiceScope scope) => scope == NodeServiceScope.System ? "system" : "user";

    /// <summary>The service of <paramref name="stateDir"/>: the desired scope first, then the other one.</summary>
    private (NodeServiceScope Scope, NodeServiceState State)? FindService(string stateDir, NodeServiceScope preferred)
    {
        foreach (NodeServiceScope scope in new[] { preferred, preferred == NodeServiceScope.User ? NodeServiceScope.System : NodeServiceScope.User })
        {
            NodeServiceController c;
            try { c = _context.Controllers(scope); }
            catch (NodeServiceException) { continue; }
            NodeServiceState s = c.Query(stateDir);
            if (s.Installed) { return (scope, s); }
        }
        return null;
    }

    /// <summary>The actual state of the node the instance names (its state directory and scope); reads only.</summary>
    /// <exception cref="StateFileException">node.json or exec-approvals.json is unusable.</exception>
    public NodeDscInstance Get(NodeDscInstance desired)
    {
        string stateDir = Node.State.StateDirectory.Resolve(desired.StateDirectory);
        NodeServiceScope preferred = ScopeOf(desired.Scope);
        var service = FindService(stateDir, preferred);
        NodeConfig? config = new NodeStateStore(stateDir).LoadConfig();
        ExecApprovalsSnapshot snap = new ExecApprovalsStore(stateDir).Load();
        if (snap.Error is not null) { throw new StateFileException(snap.Path, snap.Error); }
        ExecApprovalsDocument doc = snap.Document ?? ExecApprovalsDocument.Empty;
        string? connection = null;
        if (service is not null)
        {
            NodeStatus status = NodeStatusReader.Read(stateDir);
            connection = status.Host.Running ? status.Connection.State?.ToString() : null;
        }
        GatewaySettings? g = config?.Gateway;
        return new NodeDscInstance
        {
            StateDirectory = stateDir,
            Scope = ScopeName(service?.Scope ?? preferred),
            Exist = service is not null,
            Running = service?.State.Running ?? false,
            GatewayHost = g?.Host,
            GatewayPort = g?.Port,
            Tls = g?.Tls,
            HasTlsFingerprint = g is not null,
            TlsFingerprint = g?.TlsFingerprint,
            DisplayName = config?.DisplayName,
            RemoteEdits = (config?.RemoteEdits ?? Commands.RemoteEditPolicy.Allow) switch
            {
                Commands.RemoteEditPolicy.TightenOnly => "tighten-only",
                Commands.RemoteEditPolicy.Deny => "deny",
                _ => "allow",
            },
            ExecSecurity = ExecModeNames.Name(doc.Defaults.Security ?? Approvals.ExecSecurity.Full),
            ExecAsk = ExecModeNames.Name(doc.Defaults.Ask ?? Approvals.ExecAsk.Off),
            ExecAskFallback = ExecModeNames.Name(doc.Defaults.AskFallback ?? Approvals.ExecSecurity.Deny),
            Allowlist = doc.Agents.SelectMany(a => a.Value.Allowlist.Select(e => new NodeDscAllowlistEntry { AgentId = a.Key, Pattern = e.Pattern, ArgPattern = e.ArgPattern })).ToList(),
            ConnectionState = connection,
        };
    }

    /// <summary>
    /// The names of the properties whose actual value differs from the desired one. A property left out of the desired
    /// state is not compared, except <c>_exist</c> (default true), <c>scope</c> (default user) and <c>running</c> (default
    /// true) when the node should exist. With <c>_exist: false</c> only <c>_exist</c> is compared.
    /// </summary>
    public static List<string> Diff(NodeDscInstance desired, NodeDscInstance actual)
    {
        var diff = new List<string>();
        bool exist = desired.Exist ?? true;
        if (exist != actual.Exist) { diff.Add("_exist"); }
        if (!exist) { return diff; }
        if (actual.Exist == true && (desired.Scope ?? "user") != actual.Scope) { diff.Add("scope"); }
        if ((desired.Running ?? true) != actual.Running) { diff.Add("running"); }
        if (desired.GatewayHost is not null && !string.Equals(desired.GatewayHost, actual.GatewayHost, StringComparison.OrdinalIgnoreCase)) { diff.Add("gatewayHost"); }
        if (desired.GatewayPort is int p && p != actual.GatewayPort) { diff.Add("gatewayPort"); }
        if (desired.Tls is bool t && t != (actual.Tls ?? false)) { diff.Add("tls"); }
        if (desired.HasTlsFingerprint && !string.Equals(desired.TlsFingerprint, actual.TlsFingerprint, StringComparison.Ordinal)) { diff.Add("tlsFingerprint"); }
        if (desired.DisplayName is not null && !string.Equals(desired.DisplayName, actual.DisplayName, StringComparison.Ordinal)) { diff.Add("displayName"); }
        if (desired.RemoteEdits is not null && desired.RemoteEdits != actual.RemoteEdits) { diff.Add("remoteEdits"); }
        if (desired.ExecSecurity is not null && desired.ExecSecurity != actual.ExecSecurity) { diff.Add("execSecurity"); }
        if (desired.ExecAsk is not null && desired.ExecAsk != actual.ExecAsk) { diff.Add("execAsk"); }
        if (desired.ExecAskFallback is not null && desired.ExecAskFallback != actual.ExecAskFallback) { diff.Add("execAskFallback"); }
        if (desired.Allowlist is not null && (MissingEntries(desired, actual).Count > 0 || UnlistedEntries(desired, actual).Count > 0)) { diff.Add("allowlist"); }
        return diff;
    }

    /// <summary>The ids of <paramref name="entries"/> (agent <paramref name="agentId"/>) in <paramref name="doc"/>.</summary>
    private static List<string> EntryIds(ExecApprovalsDocument doc, string agentId, List<NodeDscAllowlistEntry> entries)
    {
        if (!doc.Agents.TryGetValue(agentId, out var agent)) { return new List<string>(); }
        return agent.Allowlist
            .Where(e => entries.Any(x => string.Equals(x.Pattern, e.Pattern, StringComparison.Ordinal) && string.Equals(x.ArgPattern, e.ArgPattern, StringComparison.Ordinal)))
            .Select(e => e.Id).ToList();
    }

    /// <summary>With <c>_purge: true</c>, the actual entries the desired allowlist does not list (for any agent); else none.</summary>
    private static List<NodeDscAllowlistEntry> UnlistedEntries(NodeDscInstance desired, NodeDscInstance actual) =>
        desired.Purge == true && desired.Allowlist is not null
            ? (actual.Allowlist ?? Array.Empty<NodeDscAllowlistEntry>()).Where(a => !desired.Allowlist.Any(d => d.Same(a))).ToList()
            : new List<NodeDscAllowlistEntry>();

    private static List<NodeDscAllowlistEntry> MissingEntries(NodeDscInstance desired, NodeDscInstance actual) =>
        (desired.Allowlist ?? Array.Empty<NodeDscAllowlistEntry>()).Where(d => !(actual.Allowlist ?? Array.Empty<NodeDscAllowlistEntry>()).Any(a => a.Same(d))).ToList();

    /// <summary>
    /// Brings the node to <paramref name="desired"/>, changing only what differs (a node in the desired state is not
    /// touched). With <paramref name="whatIf"/> nothing changes and the predicted state is returned. Returns the state
    /// afterwards and the names of the properties that were (or would be) changed.
    /// </summary>
    public (NodeDscInstance After, List<string> Changed) Set(NodeDscInstance desired, bool whatIf, List<string> messages)
    {
        NodeDscInstance before = Get(desired);
        List<string> diff = Diff(desired, before);
        if (diff.Count == 0) { return (before, diff); }
        if (whatIf) { return (Predict(desired, before, diff), diff); }

        string stateDir = before.StateDirectory!;
        NodeServiceScope scope = ScopeOf(desired.Scope);
        if (!(desired.Exist ?? true))
        {
            NodeServiceResult r = _context.Controllers(ScopeOf(before.Scope)).Uninstall(false);
            messages.Add(Message("info", r.Message));
            return (Get(desired), diff);
        }

        // node.json: gateway, display name, remote edits. The host reads it at start, so a change restarts the service.
        bool configChanged = diff.Any(d => d is "gatewayHost" or "gatewayPort" or "tls" or "tlsFingerprint" or "displayName" or "remoteEdits");
        if (configChanged) { WriteConfig(stateDir, desired, messages); }

        // exec-approvals.json: read on every decision, no restart needed.
        var changes = new List<ExecApprovalChange>();
        if (diff.Any(d => d is "execSecurity" or "execAsk" or "execAskFallback"))
        {
            changes.Add(new ExecApprovalChange
            {
                Security = diff.Contains("execSecurity") ? desired.ExecSecurity : null,
                Ask = diff.Contains("execAsk") ? desired.ExecAsk : null,
                AskFallback = diff.Contains("execAskFallback") ? desired.ExecAskFallback : null,
            });
        }
        List<NodeDscAllowlistEntry> unlisted = UnlistedEntries(desired, before);
        if (unlisted.Count > 0)
        {
            // Read once for every agent's ids; removal is by id, so an entry with the same pattern but another argPattern
            // (which the desired state lists) stays.
            ExecApprovalsDocument current = new ExecApprovalsStore(stateDir).Load().Document ?? ExecApprovalsDocument.Empty;
            foreach (var group in unlisted.GroupBy(e => e.AgentId))
            {
                changes.Add(new ExecApprovalChange { AgentId = group.Key, Remove = EntryIds(current, group.Key, group.ToList()) });
            }
        }
        foreach (var group in MissingEntries(desired, before).GroupBy(e => (e.AgentId, e.ArgPattern)))
        {
            changes.Add(new ExecApprovalChange { AgentId = group.Key.AgentId, ArgPattern = group.Key.ArgPattern, AddPatterns = group.Select(e => e.Pattern).ToList() });
        }
        if (changes.Count > 0)
        {
            var editor = new ExecApprovalsEditor(stateDir);
            foreach (ExecApprovalChange c in changes)
            {
                editor.Apply(c);
                messages.Add(Message("info", "exec approvals: " + ExecApprovalsEditor.Describe(c) + "."));
            }
        }

        // The service.
        if (before.Exist == true && ScopeOf(before.Scope) != scope)
        {
            NodeServiceResult moved = _context.Controllers(ScopeOf(before.Scope)).Uninstall(false);
            messages.Add(Message("info", $"Removed the {before.Scope}-scope service to install it with scope {ScopeName(scope)}: {moved.Message}"));
            before = before with { Exist = false, Running = false };
        }
        NodeServiceController controller = _context.Controllers(scope);
        bool running = before.Running == true;
        if (before.Exist != true || configChanged)
        {
            NodeServiceOptions options = _context.WithExecutable(new NodeServiceOptions
            {
                StateDirectory = stateDir,
                Scope = scope,
                ServiceAccount = desired.ServiceAccount,
                WindowsAccount = desired.ServiceAccount?.EndsWith("$", StringComparison.Ordinal) == true ? WindowsServiceAccountKind.ManagedServiceAccount : WindowsServiceAccountKind.VirtualAccount,
            }, desired.ExecutablePath);
            string? token = desired.TokenFile is not null ? Service.TokenFile.Read(desired.TokenFile) : string.IsNullOrEmpty(_context.EnvironmentToken) ? null : _context.EnvironmentToken;
            NodeServiceResult r = controller.Install(options, token, force: before.Exist == true, whatIf: false);
            foreach (string w in r.Warnings) { messages.Add(Message("warn", w)); }
            if (!r.Ok) { throw new NodeDscServiceFailure(r.Message); }
            messages.Add(Message("info", r.Message));
            running = r.Service.Running;
        }
        bool wantRunning = desired.Running ?? true;
        if (wantRunning && !running)
        {
            NodeServiceResult r = controller.Start(false);
            if (!r.Ok) { throw new NodeDscServiceFailure(r.Message); }
            messages.Add(Message("info", r.Message));
        }
        else if (!wantRunning && running)
        {
            NodeServiceResult r = controller.Stop(false);
            messages.Add(Message("info", r.Message));
        }
        return (Get(desired), diff);
    }

    /// <summary>Writes the gateway, display name and remote-edit lock to node.json; drops the device token when the gateway origin changes (it belongs to the old gateway).</summary>
    private static void WriteConfig(string stateDir, NodeDscInstance desired, List<string> messages)
    {
        var store = new NodeStateStore(stateDir);
        NodeConfig config = store.LoadConfig() ?? NodeConfig.CreateNew();
        GatewaySettings old = config.Gateway ?? new GatewaySettings();
        bool tls = desired.Tls ?? old.Tls;
        var next = new GatewaySettings
        {
            Host = desired.GatewayHost ?? old.Host,
            Port = desired.GatewayPort ?? old.Port,
            Tls = tls,
            ContextPath = old.ContextPath,
            TlsFingerprint = desired.HasTlsFingerprint ? desired.TlsFingerprint : old.TlsFingerprint,
        };
        if (config.Gateway is not null && !config.Gateway.SameOrigin(next) && config.Token is not null)
        {
            config.Token = null;
            messages.Add(Message("warn", "The gateway changed: the stored device token belonged to the old gateway and was removed. The node needs the shared gateway token (tokenFile or OPENCLAW_GATEWAY_TOKEN) and may need pairing approval on the new gateway."));
        }
        if (desired.GatewayHost is not null || desired.GatewayPort is not null || desired.Tls is not null || desired.HasTlsFingerprint || config.Gateway is not null)
        {
            config.Gateway = next;
        }
        if (desired.DisplayName is not null) { config.DisplayName = desired.DisplayName; }
        if (desired.RemoteEdits is not null)
        {
            config.RemoteEdits = desired.RemoteEdits switch { "tighten-only" => Commands.RemoteEditPolicy.TightenOnly, "deny" => Commands.RemoteEditPolicy.Deny, _ => Commands.RemoteEditPolicy.Allow };
        }
        store.SaveConfig(config);
        messages.Add(Message("info", $"Updated {store.ConfigPath}."));
    }

    /// <summary>The state set would produce: the actual state with every differing property taken from the desired one.</summary>
    private static NodeDscInstance Predict(NodeDscInstance desired, NodeDscInstance before, List<string> diff)
    {
        if (!(desired.Exist ?? true)) { return before with { Exist = false, Running = false, ConnectionState = null }; }
        var unlisted = UnlistedEntries(desired, before);
        var list = (before.Allowlist ?? Array.Empty<NodeDscAllowlistEntry>()).Where(e => !unlisted.Any(u => u.Same(e))).Concat(MissingEntries(desired, before)).ToList();
        return before with
        {
            Exist = true,
            Scope = desired.Scope ?? "user",
            Running = desired.Running ?? true,
            GatewayHost = diff.Contains("gatewayHost") ? desired.GatewayHost : before.GatewayHost,
            GatewayPort = diff.Contains("gatewayPort") ? desired.GatewayPort : before.GatewayPort,
            Tls = diff.Contains("tls") ? desired.Tls : before.Tls,
            HasTlsFingerprint = before.HasTlsFingerprint || diff.Contains("tlsFingerprint"),
            TlsFingerprint = diff.Contains("tlsFingerprint") ? desired.TlsFingerprint : before.TlsFingerprint,
            DisplayName = diff.Contains("displayName") ? desired.DisplayName : before.DisplayName,
            RemoteEdits = diff.Contains("remoteEdits") ? desired.RemoteEdits : before.RemoteEdits,
            ExecSecurity = diff.Contains("execSecurity") ? desired.ExecSecurity : before.ExecSecurity,
            ExecAsk = diff.Contains("execAsk") ? desired.ExecAsk : before.ExecAsk,
            ExecAskFallback = diff.Contains("execAskFallback") ? desired.ExecAskFallback : before.ExecAskFallback,
            Allowlist = list,
        };
    }
}

/// <summary>A service operation of set returned <c>ok=false</c> (for example the service did not keep running); the message says why and where to look.</summary>
public sealed class NodeDscServiceFailure : Exception
{
    /// <summary>Creates the exception.</summary>
    public NodeDscServiceFailure(string message) : base(message) { }
}
