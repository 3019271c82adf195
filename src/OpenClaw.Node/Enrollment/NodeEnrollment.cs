using System;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Enrollment;

/// <summary>The result of <see cref="NodeEnrollment.EnrollAsync"/>.</summary>
public sealed record NodeEnrollmentResult
{
    /// <summary>The node's device id (64 hex).</summary>
    public string DeviceId { get; init; } = string.Empty;

    /// <summary>The gateway the node is now enrolled with (URL and pin from the setup code), as saved in <c>node.json</c>.</summary>
    public GatewaySettings Gateway { get; init; } = new();

    /// <summary>True when the state directory already held a device token for that gateway, so the code was not used.</summary>
    public bool AlreadyEnrolled { get; init; }
}

/// <summary>
/// One-shot enrolment with a setup code, for installers: runs the node host until the gateway accepts the device
/// (hello-ok, device token stored in <c>node.json</c>) and stops it, so a service can then start with the device token
/// alone and no secret ever reaches its definition.
/// </summary>
public static class NodeEnrollment
{
    /// <summary>
    /// Enrols the node in <see cref="NodeHostOptions.StateDirectory"/> with <see cref="NodeHostOptions.SetupCode"/>; waits
    /// through <c>PAIRING_REQUIRED</c> (profiles that need an operator) until <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="SetupCodeException">The code is missing, malformed or expired (nothing was written).</exception>
    /// <exception cref="GatewayException">
    /// <c>SetupCodeRefused</c> (used, expired or revoked: exit 77 of the host), <c>EnrollmentTimedOut</c>, or
    /// <c>EnrollmentFailed</c> with the host's message (for example an unusable state directory).
    /// </exception>
    public static async Task<NodeEnrollmentResult> EnrollAsync(NodeHostOptions options, TimeSpan timeout, INodeLog? log, CancellationToken ct)
    {
        SetupCode code = SetupCode.Parse(options.SetupCode);
        var store = new NodeStateStore(StateDirectory.Resolve(options.StateDirectory));
        NodeConfig? existing = store.LoadConfig();
        if (existing?.Token is not null && existing.Gateway is GatewaySettings g && g.SameOrigin(code.Gateway))
        {
            return new NodeEnrollmentResult { DeviceId = store.LoadOrCreateIdentity(out _).DeviceId, Gateway = g, AlreadyEnrolled = true };
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(timeout);
        NodeHostStatus? connected = null;
        NodeHostStatus? last = null;
        var progress = new Relay(s =>
        {
            last = s;
            if (s.State == NodeConnectionState.Connected && connected is null)
            {
                connected = s;
                stop.Cancel();
            }
        });
        int exit = await new NodeHost(options with { HostStatsInterval = TimeSpan.Zero }, log).RunAsync(progress, stop.Token).ConfigureAwait(false);
        if (connected is not null)
        {
            NodeConfig saved = store.LoadConfig() ?? throw new GatewayException(FailureKind.Configuration, "EnrollmentFailed", "The node connected but node.json is missing afterwards.");
            return new NodeEnrollmentResult { DeviceId = connected.DeviceId, Gateway = saved.Gateway ?? code.Gateway };
        }
        ct.ThrowIfCancellationRequested();
        if (exit == NodeHostExitCodes.AuthenticationFailed)
        {
            throw new GatewayException(FailureKind.AuthFailed, "SetupCodeRefused", last?.Message ?? "The gateway refused the setup code.");
        }
        if (exit == NodeHostExitCodes.Stopped)
        {
            throw new GatewayException(FailureKind.Timeout, "EnrollmentTimedOut",
                $"The node did not get enrolled within {timeout.TotalSeconds:0} s (last state: {last?.State.ToString() ?? "none"}: {last?.Message}). " +
                "A 'limited' or 'full' setup code needs an operator to approve the device; a 'node' code enrols at once.");
        }
        throw new GatewayException(FailureKind.Configuration, "EnrollmentFailed", last?.Message ?? $"The node host stopped with exit code {exit}.");
    }

    private sealed class Relay : IProgress<NodeHostStatus>
    {
        private readonly Action<NodeHostStatus> _on;

        public Relay(Action<NodeHostStatus> on) => _on = on;

        public void Report(NodeHostStatus value) => _on(value);
    }
}
