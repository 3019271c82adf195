using System.Management.Automation;
using OpenClaw.Node.Service;
using OpenClaw.Node.Status;

namespace OpenClaw.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Tests whether this OpenClaw node is installed, running, connected, paired and on the expected exec policy.</para>
/// <para type="description">Returns $true or $false (one boolean, for Intune detection and Pester), or with -Detailed an
/// OpenClawNodeTestResult with every check. Reads local state only: needs neither the gateway nor a token.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "OpenClawNode", DefaultParameterSetName = "Default")]
[OutputType(typeof(bool))]
[OutputType(typeof(OpenClawNodeTestResult))]
public sealed class TestOpenClawNodeCommand : PSCmdlet
{
    /// <summary>State directory. Default: $env:OPENCLAW_STATE_DIR, else ~/.openclaw.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("StateDir")]
    public string? StateDirectory { get; set; }

    /// <summary>The loosest acceptable exec security of the default agent (Deny, Allowlist, Full). Default: any.</summary>
    [Parameter]
    public ExecSecurityMode? ExpectedSecurity { get; set; }

    /// <summary>The least asking acceptable exec ask mode of the default agent (Off, OnMiss, Always). Default: any.</summary>
    [Parameter]
    public ExecAskMode? ExpectedAsk { get; set; }

    /// <summary>Do not require an installed service (a host run in the foreground with Start-OpenClawNode or openclaw-node run).</summary>
    [Parameter]
    public SwitchParameter SkipServiceCheck { get; set; }

    /// <summary>Write an OpenClawNodeTestResult with every check instead of one boolean.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    /// <summary>Tests the node of each state directory.</summary>
    protected override void ProcessRecord()
    {
        string? dir = StateDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StateDirectory);
        NodeStatus status = NodeStatusReader.Read(dir, NodeServiceProbe.ForCurrentPlatform());
        var expect = new NodeHealthExpectation { RequireService = !SkipServiceCheck.IsPresent };
        if (ExpectedSecurity is ExecSecurityMode s) { expect = expect with { MaxSecurity = (Node.Approvals.ExecSecurity)(int)s }; }
        if (ExpectedAsk is ExecAskMode a) { expect = expect with { MinAsk = (Node.Approvals.ExecAsk)(int)a }; }
        NodeHealthReport report = NodeHealthCheck.Evaluate(status, expect);
        WriteVerbose(report.Summary);
        if (Detailed) { WriteObject(new OpenClawNodeTestResult(report)); }
        else { WriteObject(report.Passed); }
    }
}
