using System;

namespace OpenClaw.Node.Internal;

/// <summary>RFC 4648 §5 base64url without padding, as the gateway protocol uses for keys and signatures.</summary>
internal static class Base64Url
{
    public static string Encode(byte[] data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Decodes base64url or standard base64, with or without padding.</summary>
    /// <exception cref="FormatException">The text is not base64.</exception>
    public static byte[] Decode(string text)
    {
        string s = text.Trim().Replace('-', '+').Replace('_', '/');
        switch (s.Length % 4)
        {
            case 2: s += "=="; break;
            case 3: s += "="; break;
            case 1: throw new FormatException("Invalid base64url length.");
        }
        return Convert.FromBase64String(s);
    }
}
