using System;
using System.Security.Cryptography;
using System.Text;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Protocol;

/// <summary>
/// SHA-256 fingerprints of the gateway's leaf certificate (DER), as <c>--tls-fingerprint</c> accepts them (spec §2.2):
/// 64 hex digits or 32 colon-separated pairs, optionally prefixed with <c>sha256:</c>, any case.
/// Stored and compared as 64 lowercase hex digits.
/// </summary>
public static class TlsFingerprint
{
    /// <summary>Normalises a fingerprint to 64 lowercase hex digits.</summary>
    /// <exception cref="FormatException">The text is not a SHA-256 fingerprint in an accepted form.</exception>
    public static string Normalise(string text)
    {
        string s = text.Trim();
        if (s.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase)) { s = s.Substring(7).Trim(); }
        if (s.IndexOf(':') >= 0)
        {
            string[] parts = s.Split(':');
            if (parts.Length != 32) { throw Invalid(); }
            foreach (string p in parts) { if (p.Length != 2) { throw Invalid(); } }
            s = string.Concat(parts);
        }
        if (s.Length != 64) { throw Invalid(); }
        var sb = new StringBuilder(64);
        foreach (char c in s)
        {
            bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex) { throw Invalid(); }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>SHA-256 of a certificate's DER bytes as 64 lowercase hex digits.</summary>
    public static string Of(byte[] certificateDer)
    {
        using var sha = SHA256.Create();
        return Hex.Lower(sha.ComputeHash(certificateDer));
    }

    /// <summary>Formats 64 hex digits as OpenSSL-style colon pairs (upper case), for messages.</summary>
    public static string ToColonPairs(string normalised)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < normalised.Length; i += 2)
        {
            if (i > 0) { sb.Append(':'); }
            sb.Append(normalised.Substring(i, 2).ToUpperInvariant());
        }
        return sb.ToString();
    }

    private static FormatException Invalid() => new(
        "must be the SHA-256 of the gateway certificate: 64 hex digits or 32 colon-separated hex pairs, optionally prefixed with 'sha256:'.");
}
