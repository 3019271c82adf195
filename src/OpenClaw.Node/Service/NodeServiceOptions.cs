using System;
using System.Collections.Generic;

namespace OpenClaw.Node.Service;

/// <summary>Who the node service belongs to.</summary>
public enum NodeServiceScope
{
    /// <summary>The current user: systemd user unit, per-user Scheduled Task, LaunchAgent. Starts at login (or at boot with systemd lingering).</summary>
    User,
    /// <summary>The machine: systemd system unit with <c>User=</c>, or a boot-start Windows service. Needs root/Administrator.</summary>
    System,
}

/// <summary>The account a boot-start Windows service runs as (<see cref="NodeServiceScope.System"/> on Windows).</summary>
public enum WindowsServiceAccountKind
{
    /// <summary>The virtual account <c>NT SERVICE\openclaw-node</c>: its own SID, no password, machine credentials on the network. The default.</summary>
    VirtualAccount,
    /// <summary><c>NT AUTHORITY\LocalService</c>: a shared low-privilege account with anonymous network credentials.</summary>
    LocalService,
    /// <summary>A group managed service account (<c>DOMAIN\name$</c>, see <see cref="NodeServiceOptions.ServiceAccount"/>); Active Directory manages its password.</summary>
    ManagedServiceAccount,
}

/// <summary>
/// Everything a service definition needs to run <c>openclaw-node run</c> unattended. Never carries the token: the token
/// goes to a separate owner-only file (see <see cref="NodeServiceFile.Secret"/>).
/// </summary>
public sealed record NodeServiceOptions
{
    /// <summary>Full path of the <c>openclaw-node</c> executable the service starts. Required.</summary>
    public string ExecutablePath { get; init; } = string.Empty;

    /// <summary>Extra arguments placed before <c>run</c> (for example the <c>openclaw-node.dll</c> path when <see cref="ExecutablePath"/> is <c>dotnet</c>). Empty by default.</summary>
    public IReadOnlyList<string> ExecutablePrefixArguments { get; init; } = Array.Empty<string>();

    /// <summary>Gateway host (<c>--host</c>); null leaves the host's saved value (else 127.0.0.1).</summary>
    public string? Host { get; init; }

    /// <summary>Gateway port (<c>--port</c>), 1-65535; null leaves the saved value (else 18789).</summary>
    public int? Port { get; init; }

    /// <summary>Adds <c>--tls</c>.</summary>
    public bool Tls { get; init; }

    /// <summary>Certificate fingerprint to pin (<c>--tls-fingerprint</c>), as given.</summary>
    public string? TlsFingerprint { get; init; }

    /// <summary>Instance id (<c>--node-id</c>).</summary>
    public string? NodeId { get; init; }

    /// <summary>Display name (<c>--display-name</c>).</summary>
    public string? DisplayName { get; init; }

    /// <summary>Absolute state directory (<c>--state-dir</c>). Required.</summary>
    public string StateDirectory { get; init; } = string.Empty;

    /// <summary>User or system scope. Default <see cref="NodeServiceScope.User"/>.</summary>
    public NodeServiceScope Scope { get; init; } = NodeServiceScope.User;

    /// <summary>
    /// The account the service runs as: systemd system scope <c>User=</c> (required there); the Scheduled Task's user
    /// (<c>DOMAIN\user</c>, default the current user); the gMSA (<c>DOMAIN\name$</c>) for <see cref="WindowsServiceAccountKind.ManagedServiceAccount"/>.
    /// </summary>
    public string? ServiceAccount { get; init; }

    /// <summary>Account kind of the Windows service. Default <see cref="WindowsServiceAccountKind.VirtualAccount"/>.</summary>
    public WindowsServiceAccountKind WindowsAccount { get; init; } = WindowsServiceAccountKind.VirtualAccount;

    /// <summary>
    /// systemd version of the target machine (from <c>systemctl --version</c>); 254 and later get the exponential
    /// restart back-off (<c>RestartSteps</c>, <c>RestartMaxDelaySec</c>). Null: leave them out.
    /// </summary>
    public int? SystemdVersion { get; init; }

    /// <summary>Checks the required fields and values; throws <see cref="ArgumentException"/> naming the problem and the fix.</summary>
    public void Validate()
    {
        if (!IsAbsolute(ExecutablePath))
        {
            throw new ArgumentException($"The openclaw-node executable path must be absolute (got '{ExecutablePath}'). Give the full path of openclaw-node.", nameof(ExecutablePath));
        }
        if (!IsAbsolute(StateDirectory))
        {
            throw new ArgumentException($"The state directory must be an absolute path (got '{StateDirectory}').", nameof(StateDirectory));
        }
        if (Port is int p && (p < 1 || p > 65535))
        {
            throw new ArgumentException($"The port must be 1-65535 (got {p}).", nameof(Port));
        }
        foreach (string? v in new[] { ExecutablePath, StateDirectory, Host, TlsFingerprint, NodeId, DisplayName, ServiceAccount })
        {
            if (v is not null && HasControl(v))
            {
                throw new ArgumentException($"Service settings cannot contain control characters such as line breaks (got '{v.Replace("\n", "\\n").Replace("\r", "\\r")}').");
            }
        }
    }

    /// <summary>
    /// The <c>openclaw-node</c> arguments after the executable: <c>run --host H --port P [--tls] [--tls-fingerprint F]
    /// [--node-id I] [--display-name N] --state-dir D [--token-file T]</c>.
    /// </summary>
    public IReadOnlyList<string> HostArguments(string? tokenFile)
    {
        var a = new List<string>(ExecutablePrefixArguments) { "run" };
        if (Host is not null) { a.Add("--host"); a.Add(Host); }
        if (Port is int port) { a.Add("--port"); a.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        if (Tls) { a.Add("--tls"); }
        if (TlsFingerprint is not null) { a.Add("--tls-fingerprint"); a.Add(TlsFingerprint); }
        if (NodeId is not null) { a.Add("--node-id"); a.Add(NodeId); }
        if (DisplayName is not null) { a.Add("--display-name"); a.Add(DisplayName); }
        a.Add("--state-dir");
        a.Add(StateDirectory);
        if (tokenFile is not null) { a.Add("--token-file"); a.Add(tokenFile); }
        return a;
    }

    /// <summary>Absolute on any platform the definition targets: <c>/x</c>, <c>C:\x</c>, <c>C:/x</c> or <c>\\server\share</c>.</summary>
    internal static bool IsAbsolute(string? p) =>
        !string.IsNullOrWhiteSpace(p) && (p![0] == '/' || p.StartsWith("\\\\", StringComparison.Ordinal)
            || (p.Length >= 3 && char.IsLetter(p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/')));

    internal static bool HasControl(string s)
    {
        foreach (char c in s) { if (c < 0x20 || c == 0x7F) { return true; } }
        return false;
    }
}

/// <summary>A file an install writes (or would write with -WhatIf).</summary>
public sealed record NodeServiceFile
{
    /// <summary>Full path.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>True for a file holding the token: written owner-only (0600 / user-only ACL) and never shown; <see cref="Text"/> is then a placeholder.</summary>
    public bool Secret { get; init; }

    /// <summary>What the file holds, for display: the exact text of a definition; for a secret, <c>(secret, not shown)</c>.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>The exact bytes written to disk.</summary>
    internal byte[] Bytes { get; init; } = Array.Empty<byte>();
}
