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
using OpenClaw.Node.Service;
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
        var tokenFile = new Option<string?>("--token-file") { Description = "Read the gateway token from this owner-only file (mode 0600 / user-only ACL; refused otherwise) instead of " + TokenVariable + "." };
        var windowsService = new Option<bool>("--windows-service") { Description = "Run under the Windows Service Control Manager (used by the boot-start service; ignored elsewhere)." };
        var run = new Command("run", "Run the node host in the foreground until Ctrl+C or SIGTERM. The gateway token comes from " + TokenVariable + ".")
        {
            host, port, tls, noTls, fingerprint, contextPath, nodeId, displayName, stateDir, json, verbose, tokenFile, windowsService,
        };
        HostLogging.AddTo(run);
        EnrollCommands.RunOptions pairOptions = EnrollCommands.AddTo(run);
        run.SetAction((pr, ct) => EnrollCommands.WithSetupCode(pr, pairOptions, setupCode => ServiceCommands.WithTokenFile(pr.GetValue(tokenFile), Environment.GetEnvironmentVariable(TokenVariable), token => RunMaybeAsService(pr.GetValue(windowsService), c => RunAsync(new NodeHostOptions
        {
            SetupCode = setupCode,
            Commands = pairOptions.GetCommands(pr),
            StateDirectory = pr.GetValue(stateDir),
            Host = pr.GetValue(host),
            Port = pr.GetValue(port),
            Tls = pr.GetValue(noTls) ? false : pr.GetValue(tls) ? true : null,
            TlsFingerprint = pr.GetValue(fingerprint),
            ContextPath = pr.GetValue(contextPath),
            NodeId = pr.GetValue(nodeId),
            DisplayName = pr.GetValue(displayName),
            GatewayToken = token,
            GatewayPassword = Environment.GetEnvironmentVariable(PasswordVariable),
        }, pr.GetValue(json), pr.GetValue(verbose), c), ct))));

        var identity = new Command("identity", "Print this node's device id and public key (creates the identity if missing).") { stateDir, json };
        identity.SetAction(pr => Identity(pr.GetValue(stateDir), pr.GetValue(json)));

        var root = new RootCommand("openclaw-node: a headless OpenClaw node host, and operator tools for its gateway.")
        {
            run, identity, OperatorCommands.Create(stateDir, json, host, port, tls, fingerprint), ApprovalsCommands.Create(stateDir, json, host, port, tls, fingerprint),
            StatusCommand.Create(stateDir, json, NodeServiceProbe.ForCurrentPlatform()),
            ImportCommand.Create(stateDir, json),
            PolicyCommand.Create(json),
        };
        ServiceCommands.AddTo(root, host, port, tls, fingerprint, nodeId, displayName, stateDir, json);
        root.Add(DscCommand.Create());
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

    private static Task<int> RunMaybeAsService(bool windowsService, Func<CancellationToken, Task<int>> run, CancellationToken ct)
    {
        if (windowsService && OperatingSystem.IsWindows() && !Environment.UserInteractive)
        {
            return RunWindowsService(run, ct);
        }
        return run(ct);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static Task<int> RunWindowsService(Func<CancellationToken, Task<int>> run, CancellationToken ct) =>
        Task.Run(() => NodeWindowsService.RunService(run), ct);

    private static async Task<int> RunAsync(NodeHostOptions options, bool json, bool verbose, CancellationToken ct)
    {
        // Before the first socket of this process (the runtime reads these once); children never see them.
        Node.Hosting.HostEnvironment.TuneSocketsForHostProcess();
        options = HostLogging.Apply(options, verbose);
        var log = HostLogging.Console(options);
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

    /// <summary>
    /// Opens an operator connection (token from <see cref="TokenVariable"/>; the operator's own device identity under
    /// <paramref name="stateDir"/> when the gateway is not on loopback or <paramref name="useDevice"/> is set), runs
    /// <paramref name="action"/> and maps failures to exit codes: 77 credentials refused, 78 operator state unusable,
    /// 2 usage, 1 anything else.
    /// </summary>
    internal static async Task<int> OperatorAsync(string? host, int? port, bool tls, string? fingerprint, CancellationToken ct,
        Func<OperatorClient, CancellationToken, Task<int>> action, string? stateDir = null, bool useDevice = false)
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
                StateDirectory = stateDir,
                AuthMode = useDevice ? OperatorAuthMode.Device : OperatorAuthMode.Auto,
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
        catch (StateFileException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return NodeHostExitCodes.Configuration;
        }
    }
}
