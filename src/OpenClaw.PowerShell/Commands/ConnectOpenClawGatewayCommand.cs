using System.Management.Automation;
using OpenClaw.Node.Operator;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Connects to an OpenClaw gateway as an operator for the rest of the session.</para>
/// <para type="description">Later operator cmdlets use this connection unless they are given -Gateway. The address
/// defaults to 127.0.0.1:18789 and the token to $env:OPENCLAW_GATEWAY_TOKEN.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "OpenClawGateway")]
[OutputType(typeof(OpenClawGatewayConnection))]
public sealed class ConnectOpenClawGatewayCommand : OperatorCmdlet
{
    /// <summary>Write the connection object.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// Present this operator's own Ed25519 device identity (kept under the state directory's operator folder) even on a
    /// loopback gateway. Remote gateways always get it: a device-less remote operator is granted no scopes. The first
    /// connection of a new operator device creates a pairing request that must be approved on the gateway host.
    /// </summary>
    [Parameter]
    public SwitchParameter UseDeviceIdentity { get; set; }

    /// <summary>State directory holding the operator identity and device tokens (default: $env:OPENCLAW_STATE_DIR, else ~/.openclaw).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StateDirectory { get; set; }

    /// <summary>No session is needed to connect.</summary>
    protected override void BeginProcessing() { }

    /// <summary>Connects, replacing an earlier session connection.</summary>
    protected override void EndProcessing()
    {
        OperatorClient client = Connect(Gateway ?? "127.0.0.1:18789", Token, TlsFingerprint, UseDeviceIdentity, StateDirectory);
        OperatorClient? old = OpenClawSession.Client;
        OpenClawSession.Client = client;
        if (old is not null)
        {
            try { HostInterop.CloseAsync(old).GetAwaiter().GetResult(); } catch (Node.Protocol.GatewayException) { }
        }
        if (client.Scopes.Count == 0)
        {
            WriteWarning($"Connected to {client.Url}, but the gateway granted no operator scopes, so requests and node commands will fail with missing scope. " +
                "Device-less operator connections only get scopes over the gateway's own loopback address: run this on the gateway host or through an SSH tunnel to it.");
        }
        else
        {
            WriteVerbose($"Connected to {client.Url} with scopes {string.Join(", ", client.Scopes)}.");
        }
        if (PassThru) { WriteObject(new OpenClawGatewayConnection(client)); }
    }
}
