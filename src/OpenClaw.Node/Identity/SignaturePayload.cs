using System.Collections.Generic;
using System.Globalization;

namespace OpenClaw.Node.Identity;

/// <summary>
/// Builds the string a device signs in <c>connect</c> (spec §4.6): fields joined with <c>|</c>, no escaping.
/// v3 appends the normalised platform and device family to the v2 fields; the gateway accepts both.
/// </summary>
public static class SignaturePayload
{
    /// <summary>The v3 payload: <c>v3|deviceId|clientId|mode|role|scopes|signedAt|token|nonce|platform|family</c>.</summary>
    /// <param name="deviceId">64-hex device id.</param>
    /// <param name="clientId">client.id, e.g. <c>node-host</c>.</param>
    /// <param name="clientMode">client.mode, e.g. <c>node</c>.</param>
    /// <param name="role"><c>node</c> or <c>operator</c>.</param>
    /// <param name="scopes">Scopes in the order sent (empty for nodes).</param>
    /// <param name="signedAtMs">The challenge <c>ts</c>, Unix milliseconds.</param>
    /// <param name="token">The signature token (the bearer credential actually sent), or null for none.</param>
    /// <param name="nonce">The challenge nonce, verbatim.</param>
    /// <param name="platform">client.platform; trimmed and ASCII-lower-cased here.</param>
    /// <param name="deviceFamily">client.deviceFamily; trimmed and ASCII-lower-cased here.</param>
    public static string V3(string deviceId, string clientId, string clientMode, string role, IEnumerable<string> scopes,
        long signedAtMs, string? token, string nonce, string? platform, string? deviceFamily) =>
        Join("v3", deviceId, clientId, clientMode, role, scopes, signedAtMs, token, nonce)
            + "|" + Normalise(platform) + "|" + Normalise(deviceFamily);

    /// <summary>The v2 payload: <c>v2|deviceId|clientId|mode|role|scopes|signedAt|token|nonce</c>.</summary>
    public static string V2(string deviceId, string clientId, string clientMode, string role, IEnumerable<string> scopes,
        long signedAtMs, string? token, string nonce) =>
        Join("v2", deviceId, clientId, clientMode, role, scopes, signedAtMs, token, nonce);

    private static string Join(string version, string deviceId, string clientId, string clientMode, string role,
        IEnumerable<string> scopes, long signedAtMs, string? token, string nonce) =>
        string.Join("|", version, deviceId, clientId, clientMode, role, string.Join(",", scopes),
            signedAtMs.ToString(CultureInfo.InvariantCulture), token ?? string.Empty, nonce);

    /// <summary>Trims and lower-cases ASCII A-Z only (other characters untouched); null becomes empty.</summary>
    public static string Normalise(string? value)
    {
        if (value is null) { return string.Empty; }
        char[] chars = value.Trim().ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (chars[i] >= 'A' && chars[i] <= 'Z') { chars[i] = (char)(chars[i] + 32); }
        }
        return new string(chars);
    }
}
