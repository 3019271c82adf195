using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using OpenClaw.Node.Hosting;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Runs the OpenClaw node host in the foreground until Ctrl+C, or starts the installed node service (-Service).</para>
/// <para type="description">Connects to the gateway, waits for pairing approval if needed, serves system.run and
/// system.which, and writes an OpenClawNodeStateChange object each time the connection state changes. With -Service it
/// starts the service installed by Install-OpenClawNode instead and writes an OpenClawServiceResult.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "OpenClawNode", DefaultParameterSetName = ForegroundSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(OpenClawNodeStateChange), ParameterSetName = new[] { ForegroundSet })]
[OutputType(typeof(OpenClawServiceResult), ParameterSetName = new[] { ServiceSet })]
public sealed class StartOpenClawNodeCommand : OpenClawCmdlet
{
    private const string ForegroundSet = "Foreground";
    private const string ServiceSet = "Service";

    /// <summary>Start the installed node service instead of running the host in this session.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ServiceSet)]
    public SwitchParameter Service { get; set; }

    /// <summary>With -Service: User (default) or System, the scope the service was installed with.</summary>
    [Parameter(ParameterSetName = ServiceSet)]
    [ValidateSet("User", "System")]
    public string Scope { get; set; } = "User";

    /// <summary>Gateway host name or IP address. Default: the saved gateway, else 127.0.0.1.</summary>
    [Parameter(Position = 0, ParameterSetName = ForegroundSet)]
    [ValidateNotNullOrEmpty]
    [ValidateGatewayHost]
    [Alias("Host", "ComputerName")]
    public string? HostName { get; set; }

    /// <summary>Gateway port, 1-65535. Default: the saved port, else 18789.</summary>
    [Parameter(ParameterSetName = ForegroundSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Connect with TLS (wss://).</summary>
    [Parameter(ParameterSetName = ForegroundSet)]
    public SwitchParameter Tls { get; set; }

    /// <summary>SHA-256 fingerprint of the gateway's certificate to pin (64 hex digits, colon pairs, or sha256:...).</summary>
    [Parameter(ParameterSetName = ForegroundSet)]
    [ValidateNotNullOrEmpty]
    [ValidateTlsFingerprint]
    public string? TlsFingerprint { get; set; }

    /// <summary>Instance id sent to the gateway as client.instanceId (metadata only).</summary>
    [Parameter(ParameterSetName = ForegroundSet)]
    [ValidateNotNullOrEmpty]
    public string? NodeId { get; set; }

    /// <summary>Name shown in the gateway's node list. Default: the computer name.</summary>
    [Parameter(ParameterSetName = ForegroundSet)]
    [ValidateNotNullOrEmpty]
    [Alias("Name")]
    public string? DisplayName { get; set; }

    /// <summary>Shared gateway token. Default: $env:OPENCLAW_GATEWAY_TOKEN. Only needed until the node holds a device token.</summary>
    [Parameter(ParameterSetName = ForegroundSet)]
    public SecureString? Token { get; set; }

    /// <summary>
    /// A setup code or oc-pair:// link from New-OpenClawSetupCode (default: $env:OPENCLAW_SETUP_CODE): the gateway address
    /// and pin come from it, the node enrols with its single-use bootstrap token and keeps the device token it gets. Do not
    /// combine with -HostName or -Port. Ignored once the node holds a device token for that gateway.
    /// </summary>
    [Parameter(ParameterSetName = ForegroundSet)]
    public SecureString? SetupCode { get; set; }

    /// <summary>Declare and serve only these commands (e.g. system.run, system.which): a small surface for a filtered fleet approval.</summary>
    [Parameter(ParameterSetName = ForegroundSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Command { get; set; }

    /// <summary>State directory. Default: $env:OPENCLAW_STATE_DIR, else ~/.openclaw.</summary>
    [Parameter(ParameterSetName = ForegroundSet)]
    [ValidateNotNullOrEmpty]
    [Alias("StateDir")]
    public string? StateDirectory { get; set; }

    /// <summary>Runs the host until the pipeline is stopped.</summary>
    protected override void EndProcessing()
    {
        if (ParameterSetName == ServiceSet)
        {
            var scope = string.Equals(Scope, "System", StringComparison.OrdinalIgnoreCase) ? Node.Service.NodeServiceScope.System : Node.Service.NodeServiceScope.User;
            ServiceOutput.Perform(this, scope, "node service (" + Scope + ")", "Start the service", (c, whatIf) => c.Start(whatIf));
            return;
        }
        string? setupCode = SecureStrings.ToPlainText(SetupCode);
        if (string.IsNullOrWhiteSpace(setupCode)) { setupCode = Environment.GetEnvironmentVariable(Node.Enrollment.SetupCode.EnvironmentVariable); }
        if (string.IsNullOrWhiteSpace(setupCode)) { setupCode = null; }
        if (setupCode is not null)
        {
            try { Node.Enrollment.SetupCode.Parse(setupCode); }
            catch (Node.Enrollment.SetupCodeException ex) { ThrowTerminatingError(Errors.SetupCode(ex)); return; }
        }
        if (!ShouldProcess("node host", setupCode is null ? "Run in the foreground" : "Enrol with the setup code and run in the foreground")) { return; }
        var options = new NodeHostOptions
        {
            SetupCode = setupCode,
            Commands = Command?.SelectMany(c => c.Split(',')).Select(c => c.Trim()).Where(c => c.Length > 0).ToArray(),
            Host = HostName,
            Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null,
            Tls = Tls.IsPresent ? true : null,
            TlsFingerprint = TlsFingerprint,
            NodeId = NodeId,
            DisplayName = DisplayName,
            StateDirectory = StateDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StateDirectory),
            GatewayToken = SecureStrings.ToPlainText(Token) ?? Environment.GetEnvironmentVariable("OPENCLAW_GATEWAY_TOKEN"),
            GatewayPassword = Environment.GetEnvironmentVariable("OPENCLAW_GATEWAY_PASSWORD"),
        };
        NodeHostStatus? last = null;
        int exit = RunAsync(ct =>
        {
            // The level crosses the closure as an int: a closure field of an engine enum would need the engine to load.
            var log = new DelegateNodeLog((level, message) => PostLog((int)level, message));
            var host = new NodeHost(options, log);
            return host.RunAsync(OnPipeline<NodeHostStatus>(s =>
            {
                last = s;
                WriteObject(new OpenClawNodeStateChange(s));
            }), ct);
        });
        if (exit != NodeHostExitCodes.Stopped)
        {
            ThrowTerminatingError(Errors.NodeHostFailed(exit, last?.Message ?? "The node host stopped with exit code " + exit + "."));
        }
    }

    private void PostLog(int level, string message) => Post(() => WriteLog((NodeLogLevel)level, message));

    private void WriteLog(NodeLogLevel level, string message)
    {
        switch (level)
        {
            case NodeLogLevel.Debug: WriteDebug(message); break;
            case NodeLogLevel.Warning: WriteWarning(message); break;
            default: WriteVerbose(message); break;
        }
    }
}
