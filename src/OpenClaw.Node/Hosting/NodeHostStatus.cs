using System;

namespace OpenClaw.Node.Hosting;

/// <summary>Where the node host stands with its gateway.</summary>
public enum NodeConnectionState
{
    /// <summary>Loading state and identity.</summary>
    Starting,
    /// <summary>Opening the connection and running the handshake.</summary>
    Connecting,
    /// <summary>The gateway has not approved this device yet; retrying until it does (see <see cref="NodeHostStatus.PairingRequestId"/>).</summary>
    PairingRequired,
    /// <summary>Connected, but the declared command surface waits for <c>openclaw nodes approve</c>.</summary>
    AwaitingApproval,
    /// <summary>Connected and serving invocations.</summary>
    Connected,
    /// <summary>The connection ended; waiting before the next attempt (see <see cref="NodeHostStatus.RetryIn"/>).</summary>
    Reconnecting,
    /// <summary>Stopped on request.</summary>
    Stopped,
    /// <summary>Stopped because of an error that a retry cannot fix (see <see cref="NodeHostStatus.ExitCode"/>).</summary>
    Failed,
}

/// <summary>A change of the node host's connection state, reported as it happens. Never carries tokens.</summary>
public sealed record NodeHostStatus
{
    /// <summary>The new state.</summary>
    public NodeConnectionState State { get; init; }

    /// <summary>When the state was entered.</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.Now;

    /// <summary>The device id (64 hex), which is the gateway's node id.</summary>
    public string DeviceId { get; init; } = string.Empty;

    /// <summary>The gateway URL.</summary>
    public string Gateway { get; init; } = string.Empty;

    /// <summary>Display name sent to the gateway.</summary>
    public string? DisplayName { get; init; }

    /// <summary>The pending device pairing request id while <see cref="NodeConnectionState.PairingRequired"/>.</summary>
    public string? PairingRequestId { get; init; }

    /// <summary>A sentence describing the state and, where useful, what to do.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>Delay before the next attempt while <see cref="NodeConnectionState.Reconnecting"/> or <see cref="NodeConnectionState.PairingRequired"/>.</summary>
    public TimeSpan? RetryIn { get; init; }

    /// <summary>The process exit code for <see cref="NodeConnectionState.Stopped"/> and <see cref="NodeConnectionState.Failed"/> (see <see cref="NodeHostExitCodes"/>).</summary>
    public int? ExitCode { get; init; }
}

/// <summary>Exit codes of <c>openclaw-node run</c> that a supervisor (systemd, Task Scheduler, launchd) can act on.</summary>
public static class NodeHostExitCodes
{
    /// <summary>Stopped on request (Ctrl+C, SIGTERM, service stop).</summary>
    public const int Stopped = 0;

    /// <summary>An unexpected failure.</summary>
    public const int Failure = 1;

    /// <summary>Invalid command line.</summary>
    public const int Usage = 2;

    /// <summary>The gateway rejected the credentials (token missing or wrong, device token revoked without a fallback): fix them, restarting alone will not help.</summary>
    public const int AuthenticationFailed = 77;

    /// <summary>Local configuration or state is unusable (corrupt state file, bad fingerprint, plaintext to a public host).</summary>
    public const int Configuration = 78;

    /// <summary>
    /// The state directory could not be written because its file system is full or read-only (EX_IOERR). The state files
    /// are unchanged; free space or make the file system writable. Not in the service's RestartPreventExitStatus, so a
    /// supervisor keeps restarting the host (each start logs the cause) and it recovers by itself once writes succeed.
    /// </summary>
    public const int StateWriteFailed = 74;
}
