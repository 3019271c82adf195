using System;
using System.Globalization;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Protocol;

/// <summary>Parses the gateway addresses users type: <c>host</c>, <c>host:port</c>, <c>[::1]:port</c>, <c>ws://host:port/path</c>, <c>wss://…</c>.</summary>
public static class GatewayAddress
{
    /// <summary>Parses <paramref name="text"/>; the default port is 18789; <c>wss://</c> turns TLS on.</summary>
    /// <exception cref="FormatException">The text is not a host, host:port or ws(s) URL; the message says which part is wrong.</exception>
    public static GatewaySettings Parse(string text, string? tlsFingerprint = null, bool tls = false)
    {
        string t = text.Trim();
        if (t.Length == 0) { throw new FormatException("The gateway address is empty."); }
        if (t.IndexOf("://", StringComparison.Ordinal) < 0) { t = (tls ? "wss://" : "ws://") + t; }
        if (!Uri.TryCreate(t, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "ws" && uri.Scheme != "wss") || uri.Host.Length == 0)
        {
            throw new FormatException($"'{text}' is not a gateway address: use host, host:port, ws://host:port or wss://host:port.");
        }
        string path = uri.AbsolutePath == "/" ? string.Empty : uri.AbsolutePath;
        return new GatewaySettings
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort && !HasExplicitPort(t) ? 18789 : uri.Port,
            Tls = uri.Scheme == "wss",
            TlsFingerprint = tlsFingerprint is null ? null : TlsFingerprint.Normalise(tlsFingerprint),
            ContextPath = path.Length == 0 ? null : path,
        };
    }

    private static bool HasExplicitPort(string url)
    {
        int start = url.IndexOf("://", StringComparison.Ordinal) + 3;
        int end = url.IndexOf('/', start);
        string authority = end < 0 ? url.Substring(start) : url.Substring(start, end - start);
        int bracket = authority.LastIndexOf(']');
        int colon = authority.LastIndexOf(':');
        return colon > bracket && int.TryParse(authority.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
