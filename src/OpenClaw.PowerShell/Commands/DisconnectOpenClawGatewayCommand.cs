using System.Management.Automation;
using OpenClaw.Node.Operator;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Closes the session's gateway connection made by Connect-OpenClawGateway.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "OpenClawGateway")]
[OutputType(typeof(void))]
public sealed class DisconnectOpenClawGatewayCommand : OpenClawCmdlet
{
    /// <summary>Closes the connection; does nothing when not connected.</summary>
    protected override void EndProcessing()
    {
        OperatorClient? client = OpenClawSession.Client;
        OpenClawSession.Client = null;
        if (client is null) { WriteVerbose("Not connected to a gateway."); return; }
        try { RunAsync(async _ => { await HostInterop.CloseAsync(client).ConfigureAwait(false); return true; }); }
        catch (Node.Protocol.GatewayException) { }
        WriteVerbose($"Disconnected from {client.Url}.");
    }
}
