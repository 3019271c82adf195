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

    /// <summary>
    /// Enrol first with this setup code (New-OpenClawSetupCode; default none): the node connects once with the code's
    /// single-use bootstrap token, stores the device token it gets, and the service is then installed for the code's
    /// gateway with no token or code anywhere in its definition. Not with -HostName, -Port, -Token or -Credential; the
    /// service must run as the installing account (user scope, or system scope on Linux without -ServiceAccount).
    /// </summary>
    [Parameter]
    public SecureString? SetupCode { get; set; }

    /// <summary>How long -SetupCode enrolment may take, in seconds (default 120).</summary>
    [Parameter]
    [ValidateRange(5, 3600)]
    public int EnrollTimeoutSec { get; set; } = 120;

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
        string? setupCode = SecureStrings.ToPlainText(SetupCode);
        if (setupCode is not null)
        {
            if (!Enroll(setupCode, stateDir, ref options)) { return; }
            token = null;
        }
        Perform(stateDir, Force ? "Install the node service (overwrite)" : "Install the node service", (c, whatIf) => c.Install(options, token, Force.IsPresent, whatIf));
    }

    /// <summary>Enrols with the setup code and points <paramref name="options"/> at the code's gateway; false after a terminating error or -WhatIf.</summary>
    private bool Enroll(string setupCode, string stateDir, ref NodeServiceOptions options)
    {
        Node.Enrollment.SetupCode code;
        try { code = Node.Enrollment.SetupCode.Parse(setupCode); }
        catch (Node.Enrollment.SetupCodeException ex) { ThrowTerminatingError(Errors.SetupCode(ex)); return false; }
        string? conflict = HostName is not null || MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? "-HostName and -Port (the code names the gateway)"
            : Token is not null || Credential is not null ? "-Token and -Credential (the service uses the device token the code earns)"
            : ServiceAccount is not null || (ServiceScope == NodeServiceScope.System && System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)) ? "a service account other than the installing one (enrol as that account with Start-OpenClawNode -SetupCode, then install)"
            : null;
        if (conflict is not null)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-SetupCode cannot be combined with " + conflict + "."), "SetupCodeConflict", ErrorCategory.InvalidArgument, null));
            return false;
        }
        if (!ShouldProcess(code.Url, "Enrol this node with the setup code"))
        {
            // -WhatIf: show the install that would follow; a declined -Confirm ends here.
            options = options with { Host = code.Gateway.Host, Port = code.Gateway.Port, Tls = code.Gateway.Tls, TlsFingerprint = code.Gateway.TlsFingerprint };
            return MyInvocation.BoundParameters.ContainsKey("WhatIf");
        }
        var hostOptions = new Node.Hosting.NodeHostOptions { StateDirectory = stateDir, SetupCode = setupCode, DisplayName = DisplayName, NodeId = NodeId };
        try
        {
            Node.Enrollment.NodeEnrollmentResult r = RunAsync(ct => Node.Enrollment.NodeEnrollment.EnrollAsync(hostOptions, TimeSpan.FromSeconds(EnrollTimeoutSec), null, ct));
            WriteVerbose(r.AlreadyEnrolled ? $"Already enrolled with {code.Url} as {r.DeviceId}; the setup code was not used." : $"Enrolled with {code.Url} as {r.DeviceId}.");
            options = options with { Host = r.Gateway.Host, Port = r.Gateway.Port, Tls = r.Gateway.Tls, TlsFingerprint = r.Gateway.TlsFingerprint };
            return true;
        }
        catch (Node.Enrollment.SetupCodeException ex) { ThrowTerminatingError(Errors.SetupCode(ex)); }
        catch (Node.Protocol.GatewayException ex) { ThrowTerminatingError(Errors.FromGateway(ex, code.Url)); }
        catch (Node.State.StateFileException ex) { ThrowTerminatingError(new ErrorRecord(ex, "NodeStateInvalid", ErrorCategory.InvalidData, ex.Path)); }
        return false;
    }
}
