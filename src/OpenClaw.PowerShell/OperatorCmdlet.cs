using System;
using System.Management.Automation;
using System.Security;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;

namespace OpenClaw.PowerShell;

/// <summary>The gateway connection kept by Connect-OpenClawGateway for the rest of the session.</summary>
internal static class OpenClawSession
{
    internal static OperatorClient? Client { get; set; }
}

/// <summary>
/// Base of the operator cmdlets: uses the session from Connect-OpenClawGateway, or a connection of its own for this
/// invocation when -Gateway is given (explicit parameters win), reused across all pipeline records.
/// </summary>
public abstract class OperatorCmdlet : OpenClawCmdlet
{
    private OperatorClient? _own;

    /// <summary>Gateway address for this command only (host, host:port, ws:// or wss:// URL); overrides the session.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateGatewayAddress]
    public string? Gateway { get; set; }

    /// <summary>Gateway token for -Gateway. Default: $env:OPENCLAW_GATEWAY_TOKEN.</summary>
    [Parameter]
    public SecureString? Token { get; set; }

    /// <summary>SHA-256 fingerprint of the gateway certificate to pin for -Gateway.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateTlsFingerprint]
    public string? TlsFingerprint { get; set; }

    /// <summary>The connection this invocation uses.</summary>
    private protected OperatorClient Client => _own ?? OpenClawSession.Client!;

    /// <summary>Name of the gateway (its URL), for output objects.</summary>
    protected string GatewayName => Client.Url;

    /// <summary>Connects (for -Gateway) or checks the session.</summary>
    protected override void BeginProcessing()
    {
        if (Gateway is not null)
        {
            _own = Connect(Gateway, Token, TlsFingerprint);
        }
        else if (OpenClawSession.Client is null)
        {
            ThrowTerminatingError(Errors.NotConnected());
        }
        else if (OpenClawSession.Client.IsClosed)
        {
            // The gateway restarted or the network dropped since Connect-OpenClawGateway: reconnect once with the same
            // gateway, credentials and identity, so a long-lived session (a scheduled script, a console) carries on.
            OperatorClient old = OpenClawSession.Client;
            WriteVerbose($"The session connection to {old.Url} closed; reconnecting.");
            try
            {
                OpenClawSession.Client = RunAsync(ct => old.ReconnectAsync(null, ct));
            }
            catch (GatewayException ex)
            {
                ThrowTerminatingError(Errors.FromGateway(ex, old.Url));
            }
        }
    }

    /// <summary>Opens an operator connection or throws a terminating error.</summary>
    private protected OperatorClient Connect(string gateway, SecureString? token, string? fingerprint, bool useDevice = false, string? stateDirectory = null)
    {
        if (fingerprint is not null)
        {
            try { fingerprint = Node.Protocol.TlsFingerprint.Normalise(fingerprint); }
            catch (FormatException ex)
            {
                ThrowTerminatingError(new ErrorRecord(new FormatException("The TLS fingerprint " + ex.Message, ex), "InvalidTlsFingerprint", ErrorCategory.InvalidArgument, fingerprint));
                throw;
            }
        }
        try
        {
            var options = new OperatorOptions
            {
                Gateway = GatewayAddress.Parse(gateway, fingerprint, tls: fingerprint is not null),
                Token = SecureStrings.ToPlainText(token) ?? Environment.GetEnvironmentVariable("OPENCLAW_GATEWAY_TOKEN"),
                AuthMode = useDevice ? OperatorAuthMode.Device : OperatorAuthMode.Auto,
                StateDirectory = stateDirectory,
            };
            WriteVerbose($"Connecting to {GatewayEndpoint.ToUri(options.Gateway)} as an operator.");
            return RunAsync(ct => OperatorClient.ConnectAsync(options, null, ct));
        }
        catch (FormatException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidGatewayAddress", ErrorCategory.InvalidArgument, gateway));
            throw;
        }
        catch (GatewayException ex)
        {
            ThrowTerminatingError(Errors.FromGateway(ex, gateway));
            throw;
        }
        catch (Node.State.StateFileException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "OperatorStateInvalid", ErrorCategory.InvalidData, ex.Path));
            throw;
        }
    }

    /// <summary>Closes a connection opened for -Gateway.</summary>
    protected override void EndProcessing()
    {
        CloseOwn();
        base.EndProcessing();
    }

    /// <summary>Closes a connection opened for -Gateway when the pipeline stops.</summary>
    protected override void StopProcessing()
    {
        base.StopProcessing();
        CloseOwn();
    }

    private void CloseOwn()
    {
        OperatorClient? own = _own;
        _own = null;
        if (own is not null)
        {
            try { HostInterop.CloseAsync(own).GetAwaiter().GetResult(); }
            catch (GatewayException) { }
        }
    }
}
