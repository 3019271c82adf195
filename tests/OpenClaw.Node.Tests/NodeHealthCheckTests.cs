using System.Linq;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Service;
using OpenClaw.Node.Status;
using Xunit;

namespace OpenClaw.Node.Tests;

public class NodeHealthCheckTests
{
    private static NodeStatus Healthy(ExecSecurity security = ExecSecurity.Allowlist, ExecAsk ask = ExecAsk.OnMiss) => new()
    {
        Healthy = true,
        Summary = "Connected.",
        Service = new NodeServiceState { Installed = true, Manager = NodeServiceManager.Systemd, Name = "openclaw-node.service", Running = true },
        Host = new NodeStatusHost { State = NodeHostState.Running, ProcessId = 42 },
        Gateway = new NodeStatusGateway { Url = "ws://127.0.0.1:18789/" },
        Connection = new NodeStatusConnection { Connected = true, State = NodeConnectionState.Connected },
        Pairing = new NodeStatusPairing { DeviceApproved = true, CommandSurfaceApproved = true },
        Policy = new NodeStatusPolicy { Security = security, Ask = ask, FileExists = true },
    };

    [Fact]
    public void A_healthy_node_on_the_expected_policy_passes_every_check()
    {
        NodeHealthReport r = NodeHealthCheck.Evaluate(Healthy(), new NodeHealthExpectation { MaxSecurity = ExecSecurity.Allowlist, MinAsk = ExecAsk.OnMiss });
        Assert.True(r.Passed);
        Assert.Equal(new[] { "Installed", "Running", "Connected", "Paired", "Policy" }, r.Checks.Select(c => c.Name).ToArray());
        Assert.StartsWith("All 5 checks passed", r.Summary);
    }

    [Theory]
    [InlineData(ExecSecurity.Deny, ExecAsk.Always, true)]      // stricter on both: fine
    [InlineData(ExecSecurity.Allowlist, ExecAsk.OnMiss, true)] // exactly as expected
    [InlineData(ExecSecurity.Full, ExecAsk.OnMiss, false)]     // looser security
    [InlineData(ExecSecurity.Allowlist, ExecAsk.Off, false)]   // asks less
    public void Policy_must_be_at_least_as_strict_as_expected(ExecSecurity security, ExecAsk ask, bool passes)
    {
        NodeHealthReport r = NodeHealthCheck.Evaluate(Healthy(security, ask), new NodeHealthExpectation { MaxSecurity = ExecSecurity.Allowlist, MinAsk = ExecAsk.OnMiss });
        Assert.Equal(passes, r.Passed);
        if (!passes)
        {
            Assert.StartsWith("Policy:", r.Summary);
            Assert.Contains("Edit-OpenClawExecApproval", r.Summary);
        }
    }

    [Fact]
    public void No_service_fails_unless_the_service_check_is_skipped()
    {
        NodeStatus s = Healthy() with { Service = NodeServiceState.NotInstalled };
        Assert.StartsWith("Installed:", NodeHealthCheck.Evaluate(s, new NodeHealthExpectation()).Summary);
        NodeHealthReport skipped = NodeHealthCheck.Evaluate(s, new NodeHealthExpectation { RequireService = false });
        Assert.True(skipped.Passed);
        Assert.DoesNotContain(skipped.Checks, c => c.Name == "Installed");
    }

    [Fact]
    public void A_dead_host_fails_running_and_connected_with_the_reason()
    {
        NodeStatus s = Healthy() with
        {
            Host = new NodeStatusHost { State = NodeHostState.Dead, Reason = "process 42 is gone" },
            Connection = new NodeStatusConnection { Connected = false, LastKnownState = NodeConnectionState.Connected, LastError = "gateway closed (1012)" },
        };
        NodeHealthReport r = NodeHealthCheck.Evaluate(s, new NodeHealthExpectation());
        Assert.False(r.Passed);
        Assert.Equal("Running: The node host is not running (Dead): process 42 is gone", r.Summary);
        Assert.Contains(r.Checks, c => c.Name == "Connected" && !c.Passed && c.Detail.Contains("gateway closed (1012)"));
    }

    [Fact]
    public void Pending_pairing_names_the_request_and_an_unusable_policy_fails()
    {
        NodeStatus pending = Healthy() with
        {
            Connection = new NodeStatusConnection { Connected = false, State = NodeConnectionState.PairingRequired },
            Pairing = new NodeStatusPairing { DeviceApproved = false, PendingRequestId = "req-1" },
        };
        NodeHealthReport r = NodeHealthCheck.Evaluate(pending, new NodeHealthExpectation());
        Assert.Contains(r.Checks, c => c.Name == "Paired" && !c.Passed && c.Detail.Contains("req-1"));

        NodeStatus broken = Healthy() with { Policy = new NodeStatusPolicy { Error = "line 3: unknown field 'x'" } };
        NodeHealthReport b = NodeHealthCheck.Evaluate(broken, new NodeHealthExpectation());
        Assert.Equal("Policy: The exec approvals cannot be used: line 3: unknown field 'x'", b.Summary);
    }
}
