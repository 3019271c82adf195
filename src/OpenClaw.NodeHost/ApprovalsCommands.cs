using System;
using System.CommandLine;
using System.Linq;
using System.Threading.Tasks;
using System.Text.Json.Nodes;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.NodeHost;

/// <summary><c>openclaw-node approvals get|set|allow|deny</c>: local management of exec-approvals.json.</summary>
internal static class ApprovalsCommands
{
    public static Command Create(Option<string?> stateDir, Option<bool> json, Option<string?> host, Option<int?> port, Option<bool> tls, Option<string?> fingerprint)
    {
        var node = new Option<string?>("--node") { Description = "Edit this node's policy through the gateway (node id, name or id prefix) instead of the local file." };
        var agent = new Option<string?>("--agent") { Description = "Agent id ('*' for every agent); without it, get shows the defaults and set changes them." };
        InputValidation.AddAgentValidator(agent);
        var get = new Command("get", "Show the exec-approvals policy and the effective policy for an agent.") { agent, stateDir, json, node, host, port, tls, fingerprint };
        get.SetAction((pr, ct) => pr.GetValue(node) is string n
            ? Remote(pr, host, port, tls, fingerprint, n, pr.GetValue(json), null, ct)
            : Task.FromResult(Get(pr.GetValue(stateDir), pr.GetValue(agent), pr.GetValue(json))));

        var security = new Option<string?>("--security") { Description = "deny, allowlist or full." };
        var ask = new Option<string?>("--ask") { Description = "off, on-miss or always." };
        var fallback = new Option<string?>("--ask-fallback") { Description = "deny, allowlist or full: what applies when an approval times out on the gateway." };
        var autoSkills = new Option<bool?>("--auto-allow-skills") { Description = "true or false." };
        var set = new Command("set", "Change the defaults, or an agent's modes with --agent.") { agent, security, ask, fallback, autoSkills, stateDir, json, node, host, port, tls, fingerprint };
        set.SetAction((pr, ct) => Dispatch(pr, node, host, port, tls, fingerprint, stateDir, json, ct, new ExecApprovalChange
        {
            AgentId = pr.GetValue(agent),
            Security = pr.GetValue(security),
            Ask = pr.GetValue(ask),
            AskFallback = pr.GetValue(fallback),
            AutoAllowSkills = pr.GetValue(autoSkills),
        }));

        var pattern = new Argument<string[]>("pattern") { Description = "Executable path glob (e.g. /usr/bin/git) or bare name.", Arity = ArgumentArity.OneOrMore };
        var argPattern = new Option<string?>("--arg-pattern") { Description = "Regex the arguments must match, or sha256:cwd-argv:v1:<hex>." };
        var agentRequired = new Option<string>("--agent") { Description = "Agent id ('*' for every agent).", Required = true };
        InputValidation.AddAgentValidator(agentRequired);
        var allow = new Command("allow", "Add allowlist entries for an agent.") { pattern, agentRequired, argPattern, stateDir, json, node, host, port, tls, fingerprint };
        allow.SetAction((pr, ct) => Dispatch(pr, node, host, port, tls, fingerprint, stateDir, json, ct, new ExecApprovalChange
        {
            AgentId = pr.GetValue(agentRequired),
            AddPatterns = pr.GetValue(pattern) ?? Array.Empty<string>(),
            ArgPattern = pr.GetValue(argPattern),
        }));
        var entry = new Argument<string[]>("entry") { Description = "Allowlist entry id or pattern to remove.", Arity = ArgumentArity.OneOrMore };
        var deny = new Command("deny", "Remove allowlist entries (by id or pattern) from an agent.") { entry, agentRequired, stateDir, json, node, host, port, tls, fingerprint };
        deny.SetAction((pr, ct) => Dispatch(pr, node, host, port, tls, fingerprint, stateDir, json, ct, new ExecApprovalChange
        {
            AgentId = pr.GetValue(agentRequired),
            Remove = pr.GetValue(entry) ?? Array.Empty<string>(),
        }));
        return new Command("approvals", "Manage this node's exec approvals (exec-approvals.json in the state directory).") { get, set, allow, deny };
    }

    private static Task<int> Dispatch(ParseResult pr, Option<string?> node, Option<string?> host, Option<int?> port, Option<bool> tls, Option<string?> fingerprint,
        Option<string?> stateDir, Option<bool> json, System.Threading.CancellationToken ct, ExecApprovalChange change) =>
        pr.GetValue(node) is string n
            ? Remote(pr, host, port, tls, fingerprint, n, pr.GetValue(json), change, ct)
            : Task.FromResult(Apply(pr.GetValue(stateDir), pr.GetValue(json), change));

    /// <summary>Reads or edits a node's policy through the gateway (<c>exec.approvals.node.get/set</c>, compare-and-swap with retry).</summary>
    private static Task<int> Remote(ParseResult pr, Option<string?> host, Option<int?> port, Option<bool> tls, Option<string?> fingerprint,
        string selector, bool json, ExecApprovalChange? change, System.Threading.CancellationToken ct) =>
        Program.OperatorAsync(pr.GetValue(host), pr.GetValue(port), pr.GetValue(tls), pr.GetValue(fingerprint), ct, async (op, c) =>
        {
            OpenClaw.Node.Operator.NodeInfo target = OpenClaw.Node.Operator.OperatorOperations.ResolveNode(
                await OpenClaw.Node.Operator.OperatorOperations.GetNodesAsync(op, c).ConfigureAwait(false), selector);
            JsonObject snap;
            try
            {
                snap = change is null
                    ? await OpenClaw.Node.Operator.OperatorOperations.GetNodeExecApprovalsAsync(op, target.NodeId, c).ConfigureAwait(false)
                    : await OpenClaw.Node.Operator.RemoteExecApprovals.EditAsync(op, target.NodeId, change, c).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return NodeHostExitCodes.Usage;
            }
            if (json || change is null) { Console.Out.WriteLine(Json.Indented(snap)); }
            else { Console.Out.WriteLine($"Updated the policy of {target.DisplayName ?? target.NodeId}: {ExecApprovalsEditor.Describe(change)} (hash {snap.Str("hash")})."); }
            return 0;
        });

    private static int Get(string? stateDir, string? agentId, bool json)
    {
        var store = new ExecApprovalsStore(StateDirectory.Resolve(stateDir));
        ExecApprovalsSnapshot snap = store.Load();
        if (snap.Error is not null)
        {
            Console.Error.WriteLine(snap.Error);
            return NodeHostExitCodes.Configuration;
        }
        ExecApprovalsDocument doc = snap.Effective!;
        EffectivePolicy eff = EffectivePolicy.Resolve(doc, agentId);
        if (json)
        {
            var o = new JsonObject
            {
                ["path"] = snap.Path,
                ["exists"] = snap.Exists,
                ["hash"] = snap.Hash,
                ["file"] = doc.ToJson(includeSocketToken: false),
                ["effective"] = eff.ToSnapshot(),
            };
            o["effective"]!["agentId"] = agentId;
            Console.Out.WriteLine(Json.Indented(o));
            return 0;
        }
        Console.Out.WriteLine($"file      {snap.Path}{(snap.Exists ? string.Empty : " (missing: built-in defaults apply)")}");
        Console.Out.WriteLine($"hash      {snap.Hash}");
        Console.Out.WriteLine($"effective {eff.Describe()}, askFallback={ExecModeNames.Name(eff.AskFallback)}, autoAllowSkills={(eff.AutoAllowSkills ? "true" : "false")}");
        if (eff.Allowlist.Count == 0) { Console.Out.WriteLine("allowlist (empty)"); }
        foreach (var (owner, e) in eff.Allowlist)
        {
            string last = e.LastUsedAt is long t ? DateTimeOffset.FromUnixTimeMilliseconds(t).ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never";
            Console.Out.WriteLine($"  [{owner}] {e.Pattern}{(e.ArgPattern is null ? string.Empty : "  args: " + e.ArgPattern)}  id {e.Id}  last used {last}");
        }
        return 0;
    }

    private static int Apply(string? stateDir, bool json, ExecApprovalChange change)
    {
        try
        {
            var editor = new ExecApprovalsEditor(StateDirectory.Resolve(stateDir));
            ExecApprovalsSnapshot snap = editor.Apply(change);
            if (json) { Console.Out.WriteLine(Json.Indented(new JsonObject { ["path"] = snap.Path, ["hash"] = snap.Hash, ["file"] = snap.Document!.ToJson(includeSocketToken: false) })); }
            else { Console.Out.WriteLine($"Updated {snap.Path}: {ExecApprovalsEditor.Describe(change)}."); }
            return 0;
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return NodeHostExitCodes.Usage;
        }
        catch (ExecApprovalsPolicyException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return NodeHostExitCodes.Configuration;
        }
        catch (ExecApprovalsConflictException ex)
        {
            Console.Error.WriteLine($"The policy changed while it was being edited ({ex.Message}); nothing was written. Run the command again.");
            return NodeHostExitCodes.Failure;
        }
        catch (StateFileException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return NodeHostExitCodes.Configuration;
        }
    }
}
