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
        if (string.IsNullOrWhiteSpace(g.Host)) { throw Config("InvalidGatewayHost", "The gateway host is empty. Pass a host name or IP address."); }
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

    /// <summary>True for hosts where plaintext is acceptable without an explicit opt-in.</summary>
    public static bool IsPlaintextAllowed(string host, bool allowInsecurePrivateNames)
    {
        string h = host.Trim().TrimStart('[').TrimEnd(']').TrimEnd('.').ToLowerInvariant();
        if (h == "localhost" || h.EndsWith(".localhost", StringComparison.Ordinal)) { return true; }
        if (IPAddress.TryParse(h, out IPAddress? ip)) { return IsPrivate(ip); }
        if (h.EndsWith(".local", StringComparison.Ordinal) || h.EndsWith(".ts.net", StringComparison.Ordinal)) { return true; }
        return allowInsecurePrivateNames;
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
