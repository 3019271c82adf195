using System.Linq;
using OpenClaw.Node.Status;

namespace OpenClaw.PowerShell;

/// <summary>The outcome of Test-OpenClawNode -Detailed: the verdict, each check, and the status it was made on.</summary>
public sealed class OpenClawNodeTestResult
{
    internal OpenClawNodeTestResult(NodeHealthReport r)
    {
        Passed = r.Passed;
        Summary = r.Summary;
        Checks = r.Checks.Select(c => new OpenClawNodeTestCheck(c)).ToArray();
        Installed = Find("Installed");
        Running = Find("Running") ?? false;
        Connected = Find("Connected") ?? false;
        Paired = Find("Paired") ?? false;
        PolicyCompliant = Find("Policy") ?? false;
        MachinePolicyCompliant = Find("MachinePolicy");
        Status = new OpenClawNodeStatus(r.Status);
    }

    private bool? Find(string name) => Checks.FirstOrDefault(c => c.Name == name)?.Passed;

    /// <summary>True when every check passed.</summary>
    public bool Passed { get; }

    /// <summary>"All N checks passed: …", or the first failed check and what to do.</summary>
    public string Summary { get; }

    /// <summary>The service check; null with -SkipServiceCheck.</summary>
    public bool? Installed { get; }

    /// <summary>The node host process runs (live heartbeat).</summary>
    public bool Running { get; }

    /// <summary>The host is connected to its gateway.</summary>
    public bool Connected { get; }

    /// <summary>The device and its command surface are approved.</summary>
    public bool Paired { get; }

    /// <summary>The exec approvals are at least as strict as -ExpectedSecurity / -ExpectedAsk.</summary>
    public bool PolicyCompliant { get; }

    /// <summary>The machine policy is usable and enforced; null when no machine policy is in force.</summary>
    public bool? MachinePolicyCompliant { get; }

    /// <summary>Every check in order.</summary>
    public OpenClawNodeTestCheck[] Checks { get; }

    /// <summary>The full status the checks were made on (as Get-OpenClawNodeStatus returns it).</summary>
    public OpenClawNodeStatus Status { get; }

    /// <inheritdoc />
    public override string ToString() => Summary;
}

/// <summary>One check of Test-OpenClawNode -Detailed.</summary>
public sealed class OpenClawNodeTestCheck
{
    internal OpenClawNodeTestCheck(NodeHealthCheckItem c)
    {
        Name = c.Name;
        Passed = c.Passed;
        Detail = c.Detail;
    }

    /// <summary>Installed, Running, Connected, Paired, Policy or MachinePolicy.</summary>
    public string Name { get; }

    /// <summary>Whether the check passed.</summary>
    public bool Passed { get; }

    /// <summary>A sentence on what was found and, on failure, what to do.</summary>
    public string Detail { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {(Passed ? "passed" : "failed")}";
}
