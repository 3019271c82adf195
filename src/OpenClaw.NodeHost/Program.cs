using System;
using System.Collections.Generic;
using System.Linq;
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;

namespace OpenClaw.NodeHost;

/// <summary>Entry point of <c>openclaw-node</c>.</summary>
public static class Program
{
    /// <summary>Environment variable holding the shared gateway token (never a command-line flag: argv is visible to every user).</summary>
    public const string TokenVariable = "OPENCLAW_GATEWAY_TOKEN";

    /// <summary>Environment variable holding the shared gateway password.</summary>
    public const string PasswordVariable = "OPENCLAW_GATEWAY_PASSWORD";

    /// <summary>Parses the command line and runs the chosen command; returns the process exit code.</summary>
    public static async Task<int> Main(string[] args)
    {
        var host = new Option<string?>("--host") { Description = "Gateway host name or IP (default: saved value, else 127.0.0.1)." };
        var port = new Option<int?>("--port") { Description = "Gateway port (default: saved value, else 18789)." };
        var tls = new Option<bool>("--tls") { Description = "Connect with TLS (wss://)." };
        var noTls = new Option<bool>("--no-tls") { Description = "Connect without TLS and forget a saved fingerprint." };
        var fingerprint = new Option<string?>("--tls-fingerprint") { Description = "SHA-256 of the gateway certificate to pin (64 hex, colon pairs, or sha256:...)." };
        var contextPath = new Option<string?>("--context-path") { Description = "URL path of the gateway behind a reverse proxy, e.g. /openclaw-gw." };
        var stateDir = new Option<string?>("--state-dir") { Description = "State directory (default: $OPENCLAW_STATE_DIR, else ~/.openclaw)." };
        var json = new Option<bool>("--json") { Description = "Write machine-readable JSON to stdout." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log protocol detail to stderr." };

        InputValidation.AddGatewayValidators(host, port, fingerprint);
        var nodeId = new Option<string?>("--node-id") { Description = "Instance id sent as client.instanceId (metadata; the device id comes from the key)." };
        var displayName = new Option<string?>("--display-name") { Description = "Name shown in 'openclaw nodes list' (default: the machine name)." };
        var run = new Command("run", "Run the node host in the foreground until Ctrl+C or SIGTERM. The gateway token comes from " + TokenVariable + ".")
        {
            host, port, tls, noTls, fingerprint, contextPath, nodeId, displayName, stateDir, json, verbose,
        };
        run.SetAction((pr, ct) => RunAsync(new NodeHostOptions
        {
            StateDirectory = pr.GetValue(stateDir),
            Host = pr.GetValue(host),
            Port = pr.GetValue(port),
            Tls = pr.GetValue(noTls) ? false : pr.GetValue(tls) ? true : null,
            TlsFingerprint = pr.GetValue(fingerprint),
            ContextPath = pr.GetValue(contextPath),
            NodeId = pr.GetValue(nodeId),
            DisplayName = pr.GetValue(displayName),
            GatewayToken = Environment.GetEnvironmentVariable(TokenVariable),
            GatewayPassword = Environment.GetEnvironmentVariable(PasswordVariable),
        }, pr.GetValue(json), pr.GetValue(verbose), ct));

        var identity = new Command("identity", "Print this node's device id and public key (creates the identity if missing).") { stateDir, json };
        identity.SetAction(pr => Identity(pr.GetValue(stateDir), pr.GetValue(json)));

        var all = new Option<bool>("--all") { Description = "Approve every pending request." };
        var requestId = new Argument<string?>("request-id") { Description = "Pairing request id (device or command surface).", Arity = ArgumentArity.ZeroOrOne };
        var requests = new Command("requests", "List pending pairing requests on the gateway (device pairing and command-surface approval).") { host, port, tls, fingerprint, json };
        requests.SetAction((pr, ct) => OperatorAsync(pr.GetValue(host), pr.GetValue(port), pr.GetValue(tls), pr.GetValue(fingerprint), ct,
            (op, c) => ListRequestsAsync(op, pr.GetValue(json), c)));
        var surfaceToo = new Option<bool>("--include-command-surface") { Description = "After approving a device, wait for the node's command-surface request and approve it too." };
        var waitSec = new Option<int>("--timeout-sec") { Description = "How long --include-command-surface waits for the node (default 60).", DefaultValueFactory = _ => 60 };
        var approve = new Command("approve", "Approve a pending pairing request by id, or all of them with --all.") { requestId, all, surfaceToo, waitSec, host, port, tls, fingerprint, json };
        approve.SetAction((pr, ct) => OperatorAsync(pr.GetValue(host), pr.GetValue(port), pr.GetValue(tls), pr.GetValue(fingerprint), ct,
            (op, c) => ApproveAsync(op, pr.GetValue(requestId), pr.GetValue(all), pr.GetValue(surfaceToo), pr.GetValue(waitSec), pr.GetValue(json), deny: false, c)));
        var deny = new Command("deny", "Reject a pending pairing request by id, or all of them with --all.") { requestId, all, host, port, tls, fingerprint, json };
        deny.SetAction((pr, ct) => OperatorAsync(pr.GetValue(host), pr.GetValue(port), pr.GetValue(tls), pr.GetValue(fingerprint), ct,
            (op, c) => ApproveAsync(op, pr.GetValue(requestId), pr.GetValue(all), false, 0, pr.GetValue(json), deny: true, c)));
        var selector = new Argument<string>("node") { Description = "Node id, display name, or id prefix (6+ characters)." };
        var remove = new Command("remove", "Remove a node from the gateway (revokes its pairing).") { selector, host, port, tls, fingerprint };
        remove.SetAction((pr, ct) => OperatorAsync(pr.GetValue(host), pr.GetValue(port), pr.GetValue(tls), pr.GetValue(fingerprint), ct,
            async (op, c) =>
            {
                NodeInfo n = OperatorOperations.ResolveNode(await op.GetNodesAsync(c).ConfigureAwait(false), pr.GetValue(selector)!);
                await op.RemoveNodeAsync(n.NodeId, c).ConfigureAwait(false);
                Console.Out.WriteLine($"Removed {n.DisplayName ?? n.NodeId} ({n.NodeId}).");
                return 0;
            }));
        var newName = new Argument<string>("new-name") { Description = "The new display name." };
        var rename = new Command("rename", "Set the display name the gateway shows for a node.") { selector, newName, host, port, tls, fingerprint };
        rename.SetAction((pr, ct) => OperatorAsync(pr.GetValue(host), pr.GetValue(port), pr.GetValue(tls), pr.GetValue(fingerprint), ct,
            async (op, c) =>
            {
                NodeInfo n = OperatorOperations.ResolveNode(await op.GetNodesAsync(c).ConfigureAwait(false), pr.GetValue(selector)!);
                await op.RenameNodeAsync(n.NodeId, pr.GetValue(newName)!, c).ConfigureAwait(false);
                Console.Out.WriteLine($"Renamed {n.NodeId} to '{pr.GetValue(newName)}'.");
                return 0;
            }));
        var nodes = new Command("nodes", "List the gateway's nodes.") { host, port, tls, fingerprint, json };
        nodes.SetAction((pr, ct) => OperatorAsync(pr.GetValue(host), pr.GetValue(port), pr.GetValue(tls), pr.GetValue(fingerprint), ct,
            async (op, c) => { Console.Out.WriteLine(Json.Indented(await op.ListNodesAsync(c).ConfigureAwait(false))); return 0; }));

        var node = new Option<string>("--node") { Description = "Node id, id prefix (6+ characters) or display name.", Required = true };
        var command = new Option<string>("--command") { Description = "Command to invoke, e.g. system.which or system.run.", Required = true };
        var paramsJson = new Option<string?>("--params") { Description = "Command params as a JSON object." };
        var timeoutMs = new Option<int>("--timeout-ms") { Description = "Invoke deadline in milliseconds.", DefaultValueFactory = _ => 30000 };
        var invoke = new Command("invoke", "Invoke a command on a node through the gateway and print the node's JSON payload.")
        {
            node, command, paramsJson, timeoutMs, host, port, tls, fingerprint,
        };
        invoke.SetAction((pr, ct) => OperatorAsync(pr.GetValue(host), pr.GetValue(port), pr.GetValue(tls), pr.GetValue(fingerprint), ct,
            (op, c) => InvokeAsync(op, pr.GetValue(node)!, pr.GetValue(command)!, pr.GetValue(paramsJson), pr.GetValue(timeoutMs), c)));

        var root = new RootCommand("openclaw-node: a headless OpenClaw node host, and operator tools for its gateway.")
        {
            run, identity, requests, approve, deny, nodes, remove, rename, invoke, ApprovalsCommands.Create(stateDir, json, host, port, tls, fingerprint),
        };
        // Ctrl+C and SIGTERM (systemd stop, Task Scheduler end) cancel the running command, which then stops cleanly
        // and returns its own exit code (0 for a requested stop) instead of the 130/143 a killed process would give.
        using var stop = new CancellationTokenSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);
        using var sigquit = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGQUIT, OnSignal);
        void OnSignal(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        return await InputValidation.InvokeAsync(root.Parse(args), new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token).ConfigureAwait(false);
    }

    private static async Task<int> RunAsync(NodeHostOptions options, bool json, bool verbose, CancellationToken ct)
    {
        var log = new ConsoleLog(verbose ? NodeLogLevel.Debug : NodeLogLevel.Info);
        var host = new Node.Hosting.NodeHost(options, log);
        var progress = new Progress(json);
        return await host.RunAsync(progress, ct).ConfigureAwait(false);
    }

    private sealed class Progress : IProgress<NodeHostStatus>
    {
        private readonly bool _json;

        public Progress(bool json) => _json = json;

        public void Report(NodeHostStatus value)
        {
            if (!_json) { return; }
            var o = new JsonObject
            {
                ["state"] = value.State.ToString(),
                ["timestamp"] = value.Timestamp.ToString("o", CultureInfo.InvariantCulture),
                ["deviceId"] = value.DeviceId,
                ["gateway"] = value.Gateway,
                ["displayName"] = value.DisplayName,
                ["pairingRequestId"] = value.PairingRequestId,
                ["message"] = value.Message,
                ["retryInMs"] = value.RetryIn is TimeSpan t ? (long)t.TotalMilliseconds : null,
                ["exitCode"] = value.ExitCode,
            };
            lock (this) { Console.Out.WriteLine(Json.Serialize(o)); Console.Out.Flush(); }
        }
    }

    private static int Identity(string? stateDir, bool json)
    {
        try
        {
            var store = new NodeStateStore(StateDirectory.Resolve(stateDir));
            var id = store.LoadOrCreateIdentity(out _);
            if (json) { Console.Out.WriteLine(Json.Serialize(new JsonObject { ["deviceId"] = id.DeviceId, ["publicKey"] = id.PublicKeyBase64Url })); }
            else { Console.Out.WriteLine($"deviceId  {id.DeviceId}\npublicKey {id.PublicKeyBase64Url}"); }
            return 0;
        }
        catch (StateFileException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return NodeHostExitCodes.Configuration;
        }
    }

    internal static async Task<int> OperatorAsync(string? host, int? port, bool tls, string? fingerprint, CancellationToken ct,
        Func<OperatorClient, CancellationToken, Task<int>> action)
    {
        try
        {
            var options = new OperatorOptions
            {
                Gateway = new GatewaySettings
                {
                    Host = host ?? "127.0.0.1",
                    Port = port ?? 18789,
                    Tls = tls,
                    TlsFingerprint = fingerprint is null ? null : TlsFingerprint.Normalise(fingerprint),
                },
                Token = Environment.GetEnvironmentVariable(TokenVariable),
            };
            await using OperatorClient op = await OperatorClient.ConnectAsync(options, new ConsoleLog(NodeLogLevel.Warning), ct).ConfigureAwait(false);
            return await action(op, ct).ConfigureAwait(false);
        }
        catch (GatewayException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return ex.Kind == FailureKind.AuthFailed ? NodeHostExitCodes.AuthenticationFailed : NodeHostExitCodes.Failure;
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine("The TLS fingerprint " + ex.Message);
            return NodeHostExitCodes.Usage;
        }
    }

    private static async Task<int> ListRequestsAsync(OperatorClient op, bool json, CancellationToken ct)
    {
        IReadOnlyList<NodeRequestInfo> list = await op.GetRequestsAsync(ct).ConfigureAwait(false);
        if (json)
        {
            var arr = new JsonArray();
            foreach (NodeRequestInfo r in list) { arr.Add((JsonNode)ToJson(r)); }
            Console.Out.WriteLine(Json.Indented(arr));
            return 0;
        }
        if (list.Count == 0) { Console.Out.WriteLine("No pending requests."); return 0; }
        foreach (NodeRequestInfo r in list)
        {
            Console.Out.WriteLine($"{r.Kind,-14} {r.RequestId,-38} {r.DisplayName ?? "",-24} {r.NodeId}");
        }
        return 0;
    }

    private static JsonObject ToJson(NodeRequestInfo r) => new()
    {
        ["kind"] = r.Kind == NodeRequestKind.Device ? "device" : "commandSurface",
        ["requestId"] = r.RequestId,
        ["nodeId"] = r.NodeId,
        ["displayName"] = r.DisplayName,
        ["platform"] = r.Platform,
        ["role"] = r.Role,
        ["commands"] = Json.ToArray(r.Commands),
        ["requestedAt"] = r.RequestedAt?.ToString("o", CultureInfo.InvariantCulture),
    };

    private static async Task<int> ApproveAsync(OperatorClient op, string? requestId, bool all, bool surfaceToo, int waitSec, bool json, bool deny, CancellationToken ct)
    {
        if (requestId is null && !all)
        {
            Console.Error.WriteLine("Give a request id, or --all for every pending request.");
            return NodeHostExitCodes.Usage;
        }
        IReadOnlyList<NodeRequestInfo> pending = await op.GetRequestsAsync(ct).ConfigureAwait(false);
        var targets = pending.Where(r => all || string.Equals(r.RequestId, requestId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (targets.Count == 0 && !all)
        {
            Console.Error.WriteLine($"No pending request has the id '{requestId}'. List them with 'openclaw-node requests'.");
            return NodeHostExitCodes.Failure;
        }
        int failed = 0;
        var results = new JsonArray();
        string verb = deny ? "Rejected" : "Approved";
        async Task One(NodeRequestInfo r)
        {
            try
            {
                if (deny) { await op.DenyAsync(r, ct).ConfigureAwait(false); }
                else { await op.ApproveAsync(r, ct).ConfigureAwait(false); }
                JsonObject o = ToJson(r);
                o["ok"] = true;
                results.Add((JsonNode)o);
                if (!json) { Console.Out.WriteLine($"{verb} {r.Kind} request {r.RequestId} for {r.DisplayName ?? r.NodeId}."); }
            }
            catch (GatewayException ex)
            {
                failed++;
                JsonObject o = ToJson(r);
                o["ok"] = false;
                o["error"] = ex.Message;
                results.Add((JsonNode)o);
                Console.Error.WriteLine($"Could not handle {r.RequestId}: {ex.Message}");
            }
        }
        foreach (NodeRequestInfo r in targets)
        {
            await One(r).ConfigureAwait(false);
            if (surfaceToo && !deny && r.Kind == NodeRequestKind.Device)
            {
                NodeRequestInfo? surface = await op.WaitForCommandSurfaceRequestAsync(r.NodeId, TimeSpan.FromSeconds(waitSec), ct).ConfigureAwait(false);
                if (surface is null)
                {
                    failed++;
                    Console.Error.WriteLine($"The command-surface request of {r.NodeId} did not appear within {waitSec} s; approve it later.");
                }
                else
                {
                    await One(surface).ConfigureAwait(false);
                }
            }
        }
        if (json) { Console.Out.WriteLine(Json.Indented(results)); }
        return failed == 0 ? 0 : NodeHostExitCodes.Failure;
    }

    private static async Task<int> InvokeAsync(OperatorClient op, string node, string command, string? paramsJson, int timeoutMs, CancellationToken ct)
    {
        JsonObject? parameters = null;
        if (paramsJson is not null)
        {
            parameters = Json.ParseOrNull(paramsJson) as JsonObject;
            if (parameters is null)
            {
                Console.Error.WriteLine("--params must be a JSON object, e.g. '{\"bins\":[\"sh\"]}'.");
                return NodeHostExitCodes.Usage;
            }
        }
        NodeInfo target = OperatorOperations.ResolveNode(await op.GetNodesAsync(ct).ConfigureAwait(false), node);
        JsonNode? payload = await op.InvokeAsync(target.NodeId, command, parameters, timeoutMs, ct).ConfigureAwait(false);
        Console.Out.WriteLine(payload is null ? "null" : Json.Indented(payload));
        return 0;
    }

}
