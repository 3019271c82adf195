using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Protocol;

/// <summary>
/// Builds and checks the gateway URL (spec §2.1): <c>ws[s]://host:port[/contextPath]</c>, IPv6 literals bracketed.
/// Plaintext <c>ws://</c> is refused unless the host is loopback, a private/link-local/CGNAT IP literal, <c>*.local</c>
/// or <c>*.ts.net</c> (or any name when <c>OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1</c>), so a token never crosses a network
/// in the clear by accident. A fingerprint pin on a <c>ws://</c> URL is a configuration error.
/// </summary>
public static class GatewayEndpoint
{
    /// <summary>Environment variable that additionally allows plaintext to DNS names on private networks.</summary>
    public const string AllowInsecurePrivateVariable = "OPENCLAW_ALLOW_INSECURE_PRIVATE_WS";

    /// <summary>The WebSocket URL for the settings.</summary>
    public static Uri ToUri(GatewaySettings g)
    {
        string host = g.Host.Trim();
        if (host.IndexOf(':') >= 0 && !host.StartsWith("[", StringComparison.Ordinal)) { host = "[" + host + "]"; }
        string path = string.IsNullOrWhiteSpace(g.ContextPath) ? string.Empty : (g.ContextPath!.StartsWith("/", StringComparison.Ordinal) ? g.ContextPath : "/" + g.ContextPath);
        return new Uri(string.Format(CultureInfo.InvariantCulture, "{0}://{1}:{2}{3}", g.Tls ? "wss" : "ws", host, g.Port, path));
    }

    /// <summary>Checks the settings before any connection is made.</summary>
    /// <exception cref="GatewayException">Kind <see cref="FailureKind.Configuration"/>: bad host/port, a pin without TLS, or plaintext to a public host.</exception>
    public static void Validate(GatewaySettings g, bool? allowInsecurePrivate = null)
    {
        if (HostProblem(g.Host) is string why) { throw Config("InvalidGatewayHost", "The gateway host " + why); }
        if (g.Port is < 1 or > 65535) { throw Config("InvalidGatewayPort", $"The gateway port {g.Port} is out of range; use 1-65535."); }
        if (!g.Tls && g.TlsFingerprint is not null)
        {
            throw Config("TlsFingerprintWithoutTls", "A TLS fingerprint was given for a plaintext ws:// gateway. Add TLS (--tls / -Tls) or remove the fingerprint.");
        }
        if (!g.Tls && !IsPlaintextAllowed(g.Host, allowInsecurePrivate ?? Environment.GetEnvironmentVariable(AllowInsecurePrivateVariable) == "1"))
        {
            throw Config("InsecurePlaintextGateway",
                $"Refusing plaintext ws:// to '{g.Host}': the gateway token would cross the network unencrypted. Use TLS (--tls / -Tls, with --tls-fingerprint for a self-signed gateway), " +
                $"or, for a host on a trusted private network, set {AllowInsecurePrivateVariable}=1.");
        }
    }

    /// <summary>
    /// What is wrong with <paramref name="host"/> as a gateway host (a DNS name, an IPv4 literal, or an IPv6 literal with or
    /// without brackets), or null when it is usable. URLs, ports, paths, spaces and control characters are refused.
    /// </summary>
    public static string? HostProblem(string? host)
    {
        if (string.IsNullOrWhiteSpace(host)) { return "is empty: pass a host name or IP address, e.g. gateway.example.com or 192.168.1.10."; }
        string h = host!.Trim();
        if (h.IndexOf("://", StringComparison.Ordinal) >= 0)
        {
            return $"'{Internal.SafeText.Escape(h)}' is a URL: pass only the host name (use --port, --tls and --context-path for the rest).";
        }
        string bare = h.StartsWith("[", StringComparison.Ordinal) && h.EndsWith("]", StringComparison.Ordinal) ? h.Substring(1, h.Length - 2) : h;
        if (h.Length > 253 || Uri.CheckHostName(bare) == UriHostNameType.Unknown)
        {
            return $"'{Internal.SafeText.Escape(h.Length > 80 ? h.Substring(0, 80) + "…" : h)}' is not a valid host name or IP address " +
                "(letters, digits, '-' and '.', or an IP literal; no port, path or spaces).";
        }
        return null;
    }

    /// <summary>True for hosts where plaintext is acceptable without an explicit opt-in.</summary>
    public static bool IsPlaintextAllowed(string host, bool allowInsecurePrivateNames)
    {
        string h = host.Trim().TrimStart('[').TrimEnd(']').TrimEnd('.').ToLowerInvariant();
        if (h == "localhost" || h.EndsWith(".localhost", StringComparison.Ordinal)) { return true; }
        if (IPAddress.TryParse(h, out IPAddress? ip)) { return IsPrivate(ip); }
        if (h.EndsWith(".local", StringComparison.Ordinal) || h.EndsWith(".ts.net", StringComparison.Ordinal)) { return true; }
        return allowInsecurePrivateNames;
    }

    /// <summary>
    /// True when <paramref name="host"/> names this machine's loopback: <c>localhost</c> (any case) or a loopback IP
    /// literal (127.0.0.0/8, <c>::1</c>, bracketed or not). DNS is never consulted.
    /// </summary>
    public static bool IsLoopback(string host)
    {
        string h = host.Trim().Trim('[', ']');
        if (string.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase)) { return true; }
        return IPAddress.TryParse(h, out IPAddress? ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>Loopback, RFC 1918, link-local, CGNAT (100.64/10), IPv6 ULA and link-local.</summary>
    public static bool IsPrivate(IPAddress ip)
    {
        if (IPAddress.IsLoopback(ip)) { return true; }
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (ip.IsIPv4MappedToIPv6) { return IsPrivate(ip.MapToIPv4()); }
            byte[] b6 = ip.GetAddressBytes();
            return ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || (b6[0] & 0xFE) == 0xFC;
        }
        byte[] b = ip.GetAddressBytes();
        return b[0] == 10
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
            || b[0] == 127;
    }

    private static GatewayException Config(string id, string message) => new(FailureKind.Configuration, id, message);
}
