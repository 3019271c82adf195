using System;
using System.Security.Cryptography;
using System.Text;

namespace OpenClaw.Node.Internal;

internal static class Hex
{
    public static string Lower(byte[] data)
    {
        var sb = new StringBuilder(data.Length * 2);
        foreach (byte b in data) { sb.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)); }
        return sb.ToString();
    }

    public static byte[] Parse(string hex)
    {
        if (hex.Length % 2 != 0) { throw new FormatException("Odd number of hex digits."); }
        var result = new byte[hex.Length / 2];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Convert.ToByte(hex.Substring(i * 2, 2), 16);
        }
        return result;
    }

    public static string Sha256(byte[] data)
    {
        using var sha = SHA256.Create();
        return Lower(sha.ComputeHash(data));
    }

    public static string Sha256(string utf8) => Sha256(Encoding.UTF8.GetBytes(utf8));
}
