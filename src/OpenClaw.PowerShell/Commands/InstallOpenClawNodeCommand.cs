using System;
using System.IO;
using System.Management.Automation;
using System.Security;
using OpenClaw.Node.Service;
using OpenClaw.Node.State;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Installs and starts the OpenClaw node host as a service (systemd, Scheduled Task, Windows service, LaunchAgent).</para>
/// <para type="description">Writes a service definition that runs openclaw-node run with the given gateway settings, puts the
/// gateway token in an owner-only file (never in the definition or a command line), registers and starts the service, and
/// reports whether it kept running. An existing install is left alone unless -Force is given.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "OpenClawNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OpenClawServiceResult))]
public sealed class InstallOpenClawNodeCommand : ServiceCmdlet
{
    /// <summary>Gateway host name or IP address. Default: the host's saved gateway, else 127.0.0.1.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ValidateGatewayHost]
    [Alias("Host", "ComputerName")]
    public string? HostName { get; set; }

    /// <summary>Gateway port, 1-65535. Default: the saved port, else 18789.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Connect with TLS (wss://).</summary>
    [Parameter]
    public SwitchParameter Tls { get; set; }

    /// <summary>SHA-256 fingerprint of the gateway's certificate to pin.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateTlsFingerprint]
    public string? TlsFingerprint { get; set; }

    /// <summary>Instance id sent as client.instanceId.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NodeId { get; set; }

    /// <summary>Name shown in the gateway's node list.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("Name")]
    public string? DisplayName { get; set; }

    /// <summary>State directory. Default: $env:OPENCLAW_STATE_DIR, else ~/.openclaw.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("StateDir")]
    public string? StateDirectory { get; set; }

    /// <summary>Shared gateway token. Default: the password of -Credential, else $env:OPENCLAW_GATEWAY_TOKEN.</summary>
    [Parameter]
    public SecureString? Token { get; set; }

    /// <summary>A credential whose password is the gateway token (the user name is ignored), e.g. from Get-Secret.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>System scope on Linux: the user to run as (User=). Windows gMSA (-ServiceAccountKind ManagedServiceAccount): DOMAIN\name$.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServiceAccount { get; set; }

    /// <summary>Windows service account kind for -Scope System: VirtualAccount (default), LocalService or ManagedServiceAccount.</summary>
    [Parameter]
    [ValidateSet("VirtualAccount", "LocalService", "ManagedServiceAccount")]
    public string ServiceAccountKind { get; set; } = "VirtualAccount";

    /// <summary>Full path of the openclaw-node executable the service runs. Default: the one shipped in the module's bin folder.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ExecutablePath { get; set; }

    /// <summary>Overwrite an existing install and restart the service.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Installs.</summary>
    protected override void EndProcessing()
    {
        string stateDir = StateDirectory is null ? Node.State.StateDirectory.Resolve(null) : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StateDirectory);
        string exe;
        try
        {
            exe = NodeHostExecutable.Find(ExecutablePath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ExecutablePath),
                Path.GetDirectoryName(typeof(InstallOpenClawNodeCommand).Assembly.Location));
        }
        catch (FileNotFoundException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "NodeHostExecutableNotFound", ErrorCategory.ObjectNotFound, ExecutablePath));
            return;
        }
        var options = new NodeServiceOptions
        {
            ExecutablePath = exe,
            Host = HostName,
            Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null,
            Tls = Tls.IsPresent,
            TlsFingerprint = TlsFingerprint,
            NodeId = NodeId,
            DisplayName = DisplayName,
            StateDirectory = stateDir,
            Scope = ServiceScope,
            ServiceAccount = ServiceAccount,
            WindowsAccount = ServiceAccountKind switch
            {
                "LocalService" => WindowsServiceAccountKind.LocalService,
                "ManagedServiceAccount" => WindowsServiceAccountKind.ManagedServiceAccount,
                _ => WindowsServiceAccountKind.VirtualAccount,
            },
        };
        string? token = SecureStrings.ToPlainText(Token) ?? SecureStrings.ToPlainText(Credential?.Password) ?? Environment.GetEnvironmentVariable("OPENCLAW_GATEWAY_TOKEN");
        if (string.IsNullOrEmpty(token)) { token = null; }
        Perform(stateDir, Force ? "Install the node service (overwrite)" : "Install the node service", (c, whatIf) => c.Install(options, token, Force.IsPresent, whatIf));
    }
}
