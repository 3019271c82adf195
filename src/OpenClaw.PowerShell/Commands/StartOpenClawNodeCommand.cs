using System;
using System.Management.Automation;
using System.Security;
using OpenClaw.Node.Hosting;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Runs the OpenClaw node host in the foreground until Ctrl+C.</para>
/// <para type="description">Connects to the gateway, waits for pairing approval if needed, serves system.run and
/// system.which, and writes an OpenClawNodeStateChange object each time the connection state changes.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "OpenClawNode")]
[OutputType(typeof(OpenClawNodeStateChange))]
public sealed class StartOpenClawNodeCommand : OpenClawCmdlet
{
    /// <summary>Gateway host name or IP address. Default: the saved gateway, else 127.0.0.1.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [Alias("Host", "ComputerName")]
    public string? HostName { get; set; }

    /// <summary>Gateway port, 1-65535. Default: the saved port, else 18789.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Connect with TLS (wss://).</summary>
    [Parameter]
    public SwitchParameter Tls { get; set; }

    /// <summary>SHA-256 fingerprint of the gateway's certificate to pin (64 hex digits, colon pairs, or sha256:...).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TlsFingerprint { get; set; }

    /// <summary>Instance id sent to the gateway as client.instanceId (metadata only).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NodeId { get; set; }

    /// <summary>Name shown in the gateway's node list. Default: the computer name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("Name")]
    public string? DisplayName { get; set; }

    /// <summary>Shared gateway token. Default: $env:OPENCLAW_GATEWAY_TOKEN. Only needed until the node holds a device token.</summary>
    [Parameter]
    public SecureString? Token { get; set; }

    /// <summary>State directory. Default: $env:OPENCLAW_STATE_DIR, else ~/.openclaw.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("StateDir")]
    public string? StateDirectory { get; set; }

    /// <summary>Runs the host until the pipeline is stopped.</summary>
    protected override void EndProcessing()
    {
        var options = new NodeHostOptions
        {
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
            var log = new DelegateNodeLog((level, message) => Post(() => WriteLog(level, message)));
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
