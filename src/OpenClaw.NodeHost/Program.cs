using System;
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
        var approve = new Command("approve", "Approve a pending pairing request by id, or all of them with --all.") { requestId, all, host, port, tls, fingerprint, json };
        approve.SetAction((pr, ct) => OperatorAsync(pr.GetValue(host), pr.GetValue(port), pr.GetValue(tls), pr.GetValue(fingerprint), ct,
            (op, c) => ApproveAsync(op, pr.GetValue(requestId), pr.GetValue(all), pr.GetValue(json), c)));
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
            run, identity, requests, approve, nodes, invoke, ApprovalsCommands.Create(stateDir, json),
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
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token).ConfigureAwait(false);
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

    private static async Task<int> OperatorAsync(string? host, int? port, bool tls, string? fingerprint, CancellationToken ct,
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
        JsonArray list = await PendingRequestsAsync(op, ct).ConfigureAwait(false);
        if (json) { Console.Out.WriteLine(Json.Indented(list)); return 0; }
        if (list.Count == 0) { Console.Out.WriteLine("No pending requests."); return 0; }
        foreach (JsonNode? r in list)
        {
            Console.Out.WriteLine($"{r.Str("kind"),-14} {r.Str("requestId"),-38} {r.Str("displayName") ?? "",-24} {r.Str("nodeId")}");
        }
        return 0;
    }

    /// <summary>Pending device and command-surface requests as one list of <c>{kind, requestId, nodeId, displayName, platform, commands}</c>.</summary>
    private static async Task<JsonArray> PendingRequestsAsync(OperatorClient op, CancellationToken ct)
    {
        var list = new JsonArray();
        JsonObject devices = await op.ListDevicePairingAsync(ct).ConfigureAwait(false);
        foreach (JsonNode? d in devices.Arr("pending") ?? new JsonArray())
        {
            list.Add((JsonNode)new JsonObject
            {
                ["kind"] = "device",
                ["requestId"] = d.Str("requestId"),
                ["nodeId"] = d.Str("deviceId"),
                ["displayName"] = d.Str("displayName"),
                ["platform"] = d.Str("platform"),
                ["role"] = d.Str("role"),
            });
        }
        JsonObject surfaces = await op.ListNodePairingAsync(ct).ConfigureAwait(false);
        foreach (JsonNode? n in surfaces.Arr("pending") ?? new JsonArray())
        {
            list.Add((JsonNode)new JsonObject
            {
                ["kind"] = "commandSurface",
                ["requestId"] = n.Str("requestId"),
                ["nodeId"] = n.Str("nodeId"),
                ["displayName"] = n.Str("displayName"),
                ["platform"] = n.Str("platform"),
                ["commands"] = (n as JsonObject)?["commands"]?.DeepClone(),
            });
        }
        return list;
    }

    private static async Task<int> ApproveAsync(OperatorClient op, string? requestId, bool all, bool json, CancellationToken ct)
    {
        if (requestId is null && !all)
        {
            Console.Error.WriteLine("Give a request id, or --all to approve every pending request.");
            return NodeHostExitCodes.Usage;
        }
        JsonArray pending = await PendingRequestsAsync(op, ct).ConfigureAwait(false);
        int approved = 0, failed = 0;
        var results = new JsonArray();
        foreach (JsonNode? r in pending)
        {
            string id = r.Str("requestId") ?? string.Empty;
            if (!all && id != requestId) { continue; }
            try
            {
                if (r.Str("kind") == "device") { await op.ApproveDevicePairingAsync(id, ct).ConfigureAwait(false); }
                else { await op.ApproveNodePairingAsync(id, ct).ConfigureAwait(false); }
                approved++;
                results.Add((JsonNode)new JsonObject { ["requestId"] = id, ["kind"] = r.Str("kind"), ["nodeId"] = r.Str("nodeId"), ["ok"] = true });
                if (!json) { Console.Out.WriteLine($"Approved {r.Str("kind")} request {id} for {r.Str("displayName") ?? r.Str("nodeId")}."); }
            }
            catch (GatewayException ex)
            {
                failed++;
                results.Add((JsonNode)new JsonObject { ["requestId"] = id, ["kind"] = r.Str("kind"), ["ok"] = false, ["error"] = ex.Message });
                Console.Error.WriteLine($"Could not approve {id}: {ex.Message}");
            }
        }
        if (json) { Console.Out.WriteLine(Json.Indented(results)); }
        if (!all && approved == 0 && failed == 0)
        {
            Console.Error.WriteLine($"No pending request has the id '{requestId}'. List them with 'openclaw-node requests'.");
            return NodeHostExitCodes.Failure;
        }
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
        string? nodeId = await ResolveNodeAsync(op, node, ct).ConfigureAwait(false);
        if (nodeId is null) { return NodeHostExitCodes.Failure; }
        JsonNode? payload = await op.InvokeAsync(nodeId, command, parameters, timeoutMs, ct).ConfigureAwait(false);
        Console.Out.WriteLine(payload is null ? "null" : Json.Indented(payload));
        return 0;
    }

    /// <summary>Resolves a node selector: exact id, display name (case-insensitive), or an id prefix of 6+ characters.</summary>
    private static async Task<string?> ResolveNodeAsync(OperatorClient op, string selector, CancellationToken ct)
    {
        JsonObject list = await op.ListNodesAsync(ct).ConfigureAwait(false);
        var matches = new System.Collections.Generic.List<string>();
        foreach (JsonNode? n in list.Arr("nodes") ?? new JsonArray())
        {
            string id = n.Str("nodeId") ?? string.Empty;
            if (string.Equals(id, selector, StringComparison.OrdinalIgnoreCase)) { return id; }
            if (string.Equals(n.Str("displayName"), selector, StringComparison.OrdinalIgnoreCase)
                || (selector.Length >= 6 && id.StartsWith(selector, StringComparison.OrdinalIgnoreCase)))
            {
                if (!matches.Contains(id)) { matches.Add(id); }
            }
        }
        if (matches.Count == 1) { return matches[0]; }
        Console.Error.WriteLine(matches.Count == 0
            ? $"No node matches '{selector}'. List them with 'openclaw-node nodes'."
            : $"'{selector}' matches several nodes ({string.Join(", ", matches)}); use the node id.");
        return null;
    }
}
