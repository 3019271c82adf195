using System;
using System.Collections.Generic;
using System.Management.Automation;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Mints gateway setup codes so nodes enrol with Start-OpenClawNode -SetupCode, without per-machine approvals.</para>
/// <para type="description">Calls device.pair.setupCode once per code (operator.admin). With the default node profile
/// the gateway approves a node's device and its first command surface when the node connects with the code. Each code
/// works once, for 10 minutes: mint one per machine. The codes are secrets; the default view masks them.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "OpenClawSetupCode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OpenClawSetupCode))]
public sealed class NewOpenClawSetupCodeCommand : OperatorCmdlet
{
    /// <summary>How many codes, 1-1000 (default 1): one per machine, since each works once.</summary>
    [Parameter(Position = 0)]
    [ValidateRange(1, 1000)]
    public int Count { get; set; } = 1;

    /// <summary>Bootstrap profile: Node (default; enrols at once), Limited or VoiceNode (an operator must approve the device).</summary>
    [Parameter]
    [ValidateSet("Node", "Limited", "VoiceNode")]
    public string BootstrapProfile { get; set; } = "Node";

    /// <summary>
    /// The gateway URL the nodes reach (ws:// or wss://). Needed when the gateway listens on loopback only and has no
    /// plugins.entries.device-pair.config.publicUrl or gateway.remote.url configured.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PublicUrl { get; set; }

    /// <summary>Mints the codes.</summary>
    protected override void EndProcessing()
    {
        string profile = BootstrapProfile switch { "Limited" => "limited", "VoiceNode" => "voice-node", _ => "node" };
        if (ShouldProcess(GatewayName, $"Mint {Count} single-use setup code(s) with the {profile} profile"))
        {
            try
            {
                IReadOnlyList<SetupCodeInfo> codes = RunAsync(ct => Client.NewSetupCodesAsync(Count, profile, PublicUrl, ct));
                foreach (SetupCodeInfo c in codes) { WriteObject(new OpenClawSetupCode(c, GatewayName)); }
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, "InvalidSetupCodeRequest", ErrorCategory.InvalidArgument, PublicUrl));
            }
            catch (GatewayException ex)
            {
                WriteError(Errors.FromGateway(ex, GatewayName));
            }
        }
        base.EndProcessing();
    }
}
