using System;

namespace OpenClaw.PowerShell;

/// <summary>
/// A setup code from New-OpenClawSetupCode. <see cref="SetupCode"/> is a secret (a single-use bootstrap token inside):
/// the default table view and <see cref="ToString"/> mask it; read the property to hand the code to one machine.
/// </summary>
public sealed class OpenClawSetupCode
{
    internal OpenClawSetupCode(Node.Operator.SetupCodeInfo info, string gateway)
    {
        SetupId = info.SetupId;
        SetupCode = info.SetupCode;
        ExpiresAt = info.ExpiresAt;
        GatewayUrl = info.GatewayUrl;
        Access = info.Access;
        UrlSource = info.UrlSource;
        Gateway = gateway;
    }

    /// <summary>The gateway's id for the code (its completion can be looked up with device.pair.setupStatus).</summary>
    public string SetupId { get; }

    /// <summary>The setup code for Start-OpenClawNode -SetupCode / openclaw-node run --pair. Secret; works once.</summary>
    public string SetupCode { get; }

    /// <summary>The code with all but its first characters hidden, for display.</summary>
    public string MaskedSetupCode => Node.Enrollment.SetupCode.Mask(SetupCode);

    /// <summary>When the code stops working (10 minutes after it was minted).</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The gateway URL inside the code: where the node will connect.</summary>
    public string? GatewayUrl { get; }

    /// <summary>node (device and first command surface approved on first connect), limited or full (an operator approves).</summary>
    public string? Access { get; }

    /// <summary>Where the gateway took the URL from (request.publicUrl, gateway.remote.url, …).</summary>
    public string? UrlSource { get; }

    /// <summary>The operator connection's gateway that minted the code.</summary>
    public string Gateway { get; }

    /// <inheritdoc />
    public override string ToString() => $"{MaskedSetupCode} ({Access}, {GatewayUrl})";
}
