using System;
using System.Collections.Generic;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// How to run the node host (<c>openclaw-node run</c> / <c>Start-OpenClawNode</c>). Null values fall back to what
/// <c>node.json</c> saved from the last run, then to the defaults (gateway <c>127.0.0.1:18789</c>, plaintext).
/// </summary>
public sealed record NodeHostOptions
{
    /// <summary>State directory; null means <c>$OPENCLAW_STATE_DIR</c>, else <c>~/.openclaw</c>.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>Gateway host name or IP; default <c>127.0.0.1</c>.</summary>
    public string? Host { get; init; }

    /// <summary>Gateway port; default 18789.</summary>
    public int? Port { get; init; }

    /// <summary>Use TLS (<c>wss://</c>); default false. Setting false explicitly clears a saved fingerprint.</summary>
    public bool? Tls { get; init; }

    /// <summary>SHA-256 pin of the gateway's certificate in any form <see cref="Protocol.TlsFingerprint.Normalise"/> accepts.</summary>
    public string? TlsFingerprint { get; init; }

    /// <summary>URL path of the gateway behind a reverse proxy, e.g. <c>/openclaw-gw</c>.</summary>
    public string? ContextPath { get; init; }

    /// <summary>Instance id sent as <c>client.instanceId</c> (metadata; the device id comes from the key).</summary>
    public string? NodeId { get; init; }

    /// <summary>Name shown in <c>nodes list</c>; default the machine name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Shared gateway token (from <c>OPENCLAW_GATEWAY_TOKEN</c> or a SecureString); used only until a device token is stored, and as fallback when it is revoked.</summary>
    public string? GatewayToken { get; init; }

    /// <summary>
    /// A setup code or <c>oc-pair://</c> link (<see cref="Enrollment.SetupCode"/>, a secret) for bootstrap enrolment: the
    /// gateway URL and pin come from it, the first connect authenticates with its single-use bootstrap token, and the
    /// device token the gateway returns is stored and used from then on. Ignored (not used) when <c>node.json</c> already
    /// holds a device token for the code's gateway. Null for none.
    /// </summary>
    public string? SetupCode { get; init; }

    /// <summary>
    /// Declare (and serve) only these commands, e.g. <c>system.run</c> and <c>system.which</c> (the official host's
    /// <c>--commands</c>): a small first surface is what a filtered fleet approval expects. Null = every command this host
    /// has. A name this host does not have is a configuration error (exit 78). Not saved: give it on every run.
    /// </summary>
    public IReadOnlyList<string>? Commands { get; init; }

    /// <summary>Shared gateway password (<c>OPENCLAW_GATEWAY_PASSWORD</c>), an alternative to the token.</summary>
    public string? GatewayPassword { get; init; }

    /// <summary>Allow plaintext to private DNS names (<c>OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1</c>); null reads the variable.</summary>
    public bool? AllowInsecurePrivate { get; init; }

    /// <summary>Interval of <c>node.host.stats</c> publications; default 60 s; zero disables them.</summary>
    public TimeSpan HostStatsInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Delay between connection attempts while the device waits for pairing approval; default 5 s.</summary>
    public TimeSpan PairingRetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reconnect back-off: first delay (default 1 s) and cap (default 30 s); exponential with jitter.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the reconnect back-off; default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Heartbeat of <c>node-status.json</c> (the file is also rewritten on every state change); default 15 s. A status
    /// reader treats a heartbeat older than three intervals as a dead or hung host.
    /// </summary>
    public TimeSpan StatusHeartbeatInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Minimum level of the host's log sinks (rotating file, journal/console, Windows Event Log); null resolves through
    /// <see cref="NodeLogLevels.Resolve"/>: <c>OPENCLAW_LOG_LEVEL</c>, the machine policy's <c>logLevel</c>, else info.
    /// </summary>
    public NodeLogLevel? LogLevel { get; init; }

    /// <summary>
    /// An additional machine-policy file applied on top of the machine source (tighten-only; tests and per-service
    /// restrictions); null reads <c>OPENCLAW_POLICY_FILE</c>. See <see cref="Policy.MachinePolicyLoader"/>.
    /// </summary>
    public string? PolicyFile { get; init; }

    /// <summary>Size cap of one log file in <c>&lt;stateDir&gt;/logs</c>; default 10 MiB. Zero or less turns file logging off.</summary>
    public long LogFileMaxBytes { get; init; } = RotatingFileLog.DefaultMaxBytes;

    /// <summary>Rotated log files kept besides the current one; default 5.</summary>
    public int LogFilesKept { get; init; } = RotatingFileLog.DefaultFilesKept;
}
