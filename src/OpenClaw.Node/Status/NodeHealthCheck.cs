using System;
using System.Collections.Generic;
using System.Linq;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Hosting;

namespace OpenClaw.Node.Status;

/// <summary>What a healthy node must look like for <see cref="NodeHealthCheck.Evaluate"/> (detection scripts, Pester, DSC).</summary>
public sealed record NodeHealthExpectation
{
    /// <summary>Require an installed, running service (default true); false for a host run in the foreground.</summary>
    public bool RequireService { get; init; } = true;

    /// <summary>The loosest acceptable exec security of the default agent; null = any. Deny &lt; Allowlist &lt; Full.</summary>
    public ExecSecurity? MaxSecurity { get; init; }

    /// <summary>The least asking acceptable exec ask mode of the default agent; null = any. Off &lt; OnMiss &lt; Always.</summary>
    public ExecAsk? MinAsk { get; init; }
}

/// <summary>One check of a node health test: name (<c>Installed</c>, <c>Running</c>, <c>Connected</c>, <c>Paired</c>, <c>Policy</c>), outcome and a sentence.</summary>
public sealed record NodeHealthCheckItem(string Name, bool Passed, string Detail);

/// <summary>The outcome of <see cref="NodeHealthCheck.Evaluate"/>: every check, the verdict and a one-line summary.</summary>
public sealed record NodeHealthReport
{
    /// <summary>True when every check passed.</summary>
    public bool Passed { get; init; }

    /// <summary>The checks in order: Installed (when required), Running, Connected, Paired, Policy, and MachinePolicy when a machine policy is in force.</summary>
    public IReadOnlyList<NodeHealthCheckItem> Checks { get; init; } = Array.Empty<NodeHealthCheckItem>();

    /// <summary>One line: "all checks passed (…)" or the first failed check's sentence.</summary>
    public string Summary { get; init; } = string.Empty;

    /// <summary>The status the checks were made on.</summary>
    public NodeStatus Status { get; init; } = new();
}

/// <summary>
/// Turns a <see cref="NodeStatus"/> into the pass/fail answer that detection needs (Intune, Pester, DSC): installed,
/// running, connected, paired, and exec approvals at least as strict as expected. Pure: reads nothing itself.
/// </summary>
public static class NodeHealthCheck
{
    /// <summary>Evaluates <paramref name="status"/> against <paramref name="expect"/>.</summary>
    public static NodeHealthReport Evaluate(NodeStatus status, NodeHealthExpectation expect)
    {
        var checks = new List<NodeHealthCheckItem>();
        if (expect.RequireService)
        {
            checks.Add(status.Service.Installed
                ? new NodeHealthCheckItem("Installed", true, $"The {status.Service.Manager} service {status.Service.Name} is installed.")
                : new NodeHealthCheckItem("Installed", false, "No node service is installed for this state directory; install it with Install-OpenClawNode or 'openclaw-node install'."));
        }
        checks.Add(status.Host.Running
            ? new NodeHealthCheckItem("Running", true, $"The node host runs (pid {status.Host.ProcessId}).")
            : new NodeHealthCheckItem("Running", false, $"The node host is not running ({status.Host.State}): {status.Host.Reason}"));
        checks.Add(status.Connected
            ? new NodeHealthCheckItem("Connected", true, $"Connected to {status.Gateway.Url}.")
            : new NodeHealthCheckItem("Connected", false, $"Not connected to {status.Gateway.Url ?? "a gateway"}" +
                (status.Connection.LastError is string e ? $" (last error: {e})." : ".")));
        bool paired = status.Connection.State == NodeConnectionState.Connected
            || (status.Pairing.DeviceApproved == true && status.Pairing.CommandSurfaceApproved == true);
        checks.Add(paired
            ? new NodeHealthCheckItem("Paired", true, "The device and its command surface are approved.")
            : new NodeHealthCheckItem("Paired", false, status.Pairing.PendingRequestId is string r
                ? $"Pairing request {r} waits for approval on the gateway."
                : status.Connection.State == NodeConnectionState.AwaitingApproval
                    ? "The node's command surface waits for approval on the gateway."
                    : "The device is not known to be approved."));
        checks.Add(PolicyCheck(status.Policy, expect));
        if (status.MachinePolicy.InForce)
        {
            // Only when a machine policy exists, so nodes without one keep their five checks.
            checks.Add(status.MachinePolicy.Error is string mpError
                ? new NodeHealthCheckItem("MachinePolicy", false, $"The machine policy is unusable, so the node refuses to run and denies every command: {mpError}")
                : new NodeHealthCheckItem("MachinePolicy", true, $"The node enforces the {status.MachinePolicy.Summary} (the exec policy above is already clamped to it)."));
        }
        NodeHealthCheckItem? failed = checks.FirstOrDefault(c => !c.Passed);
        return new NodeHealthReport
        {
            Passed = failed is null,
            Checks = checks,
            Status = status,
            Summary = failed is null ? $"All {checks.Count} checks passed: {status.Summary}" : $"{failed.Name}: {failed.Detail}",
        };
    }

    private static NodeHealthCheckItem PolicyCheck(NodeStatusPolicy p, NodeHealthExpectation expect)
    {
        if (p.Error is string err) { return new NodeHealthCheckItem("Policy", false, $"The exec approvals cannot be used: {err}"); }
        string now = $"security={Text(p.Security)}, ask={Text(p.Ask)} for agent '{p.AgentId}'";
        if (expect.MaxSecurity is ExecSecurity max && (p.Security is not ExecSecurity s || s > max))
        {
            return new NodeHealthCheckItem("Policy", false, $"The exec approvals allow more than expected ({now}; expected security {Text(max)} or stricter). Tighten them with Edit-OpenClawExecApproval -Security {max}.");
        }
        if (expect.MinAsk is ExecAsk min && (p.Ask is not ExecAsk a || a < min))
        {
            return new NodeHealthCheckItem("Policy", false, $"The exec approvals ask less than expected ({now}; expected ask {Text(min)} or stricter). Tighten them with Edit-OpenClawExecApproval -Ask {min}.");
        }
        return new NodeHealthCheckItem("Policy", true, $"The exec approvals meet the expectation ({now}).");
    }

    private static string Text(ExecSecurity? s) => s switch { ExecSecurity.Deny => "deny", ExecSecurity.Allowlist => "allowlist", ExecSecurity.Full => "full", _ => "unknown" };

    private static string Text(ExecAsk? a) => a switch { ExecAsk.Off => "off", ExecAsk.OnMiss => "on-miss", ExecAsk.Always => "always", _ => "unknown" };
}
