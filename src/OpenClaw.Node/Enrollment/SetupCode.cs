using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Enrollment;

/// <summary>
/// A gateway setup code (bootstrap enrolment, spec §5.8): base64url (no padding) of the UTF-8 JSON
/// <c>{"url":"ws(s)://host:port[/path]", "bootstrapToken":"…", "expiresAtMs":&lt;int&gt;, "urls"?:[…], "tlsFingerprint"?:"…"}</c>,
/// optionally prefixed with <c>oc-pair://</c>. The gateway mints it with <c>device.pair.setupCode</c>
/// (<c>New-OpenClawSetupCode</c>); it is single-use and lives 10 minutes. The bootstrap token is a secret:
/// <see cref="ToString"/> never shows it.
/// </summary>
public sealed class SetupCode
{
    /// <summary>The URL form's prefix, <c>oc-pair://</c>.</summary>
    public const string UrlPrefix = "oc-pair://";

    /// <summary>The environment variable a node host reads a setup code from (for services and scripts; never argv).</summary>
    public const string EnvironmentVariable = "OPENCLAW_SETUP_CODE";

    private static readonly Regex CodeChars = new("^[A-Za-z0-9_-]+$", RegexOptions.CultureInvariant);

    private SetupCode(string url, IReadOnlyList<string> urls, string bootstrapToken, DateTimeOffset? expiresAt, string? tlsFingerprint, GatewaySettings gateway)
    {
        Url = url;
        Urls = urls;
        BootstrapToken = bootstrapToken;
        ExpiresAt = expiresAt;
        TlsFingerprint = tlsFingerprint;
        Gateway = gateway;
    }

    /// <summary>The gateway URL the code names (<c>url</c>).</summary>
    public string Url { get; }

    /// <summary>Alternative URLs (<c>urls</c>), empty when the code has none. The node connects to <see cref="Url"/>.</summary>
    public IReadOnlyList<string> Urls { get; }

    /// <summary>The single-use bootstrap token (a secret: never log or show it).</summary>
    internal string BootstrapToken { get; }

    /// <summary>When the code expires (<c>expiresAtMs</c>), or null when the code carries no expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The pinned certificate SHA-256 the code carries, normalised to 64 lowercase hex digits, or null.</summary>
    public string? TlsFingerprint { get; }

    /// <summary>The gateway endpoint of <see cref="Url"/>, with <see cref="TlsFingerprint"/> as its pin.</summary>
    public GatewaySettings Gateway { get; }

    /// <summary>
    /// Decodes a setup code or <c>oc-pair://</c> URL and checks that it has not expired at <paramref name="now"/>
    /// (default: the current time).
    /// </summary>
    /// <exception cref="SetupCodeException">
    /// <c>SetupCodeMissing</c> (empty), <c>SetupCodeMalformed</c> (not base64url JSON with <c>url</c> and
    /// <c>bootstrapToken</c>, a bad URL or fingerprint), or <c>SetupCodeExpired</c>. The message never contains the code.
    /// </exception>
    public static SetupCode Parse(string? text, DateTimeOffset? now = null)
    {
        string t = (text ?? string.Empty).Trim();
        if (t.Length == 0) { throw new SetupCodeException("SetupCodeMissing", "The setup code is empty. Ask a gateway operator for one (New-OpenClawSetupCode or 'openclaw-node nodes setup-code')."); }
        if (t.StartsWith(UrlPrefix, StringComparison.OrdinalIgnoreCase)) { t = t.Substring(UrlPrefix.Length).TrimEnd('/'); }
        if (t.Length == 0 || !CodeChars.IsMatch(t))
        {
            throw Malformed("it is not a base64url string (letters, digits, '-' and '_', optionally after oc-pair://)");
        }
        JsonObject? obj;
        try { obj = Json.Parse(Encoding.UTF8.GetString(Base64Url.Decode(t))) as JsonObject; }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or ArgumentException)
        {
            // The inner exception is dropped on purpose: its text could quote part of the secret.
            throw Malformed("it does not decode to JSON");
        }
        if (obj is null) { throw Malformed("it does not decode to a JSON object"); }
        string url = (obj.Str("url") ?? string.Empty).Trim();
        string token = (obj.Str("bootstrapToken") ?? string.Empty).Trim();
        if (url.Length == 0) { throw Malformed("it has no gateway url"); }
        if (token.Length == 0 || HasControl(token)) { throw Malformed("it has no usable bootstrap token"); }
        GatewaySettings gateway;
        try
        {
            if (!url.StartsWith("ws://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("wss://", StringComparison.OrdinalIgnoreCase))
            {
                throw new FormatException("the url is not ws:// or wss://");
            }
            gateway = GatewayAddress.Parse(url);
        }
        catch (FormatException ex) { throw Malformed("its gateway url is not a ws:// or wss:// URL", ex); }
        var urls = new List<string>();
        if (obj["urls"] is JsonNode u)
        {
            if (u is not JsonArray arr) { throw Malformed("its urls field is not a list"); }
            foreach (JsonNode? n in arr)
            {
                string? s = n is JsonValue v && v.TryGetValue(out string? str) ? str : null;
                if (string.IsNullOrWhiteSpace(s)) { throw Malformed("its urls list holds a non-string entry"); }
                urls.Add(s!.Trim());
            }
        }
        DateTimeOffset? expires = null;
        if (obj["expiresAtMs"] is JsonNode e)
        {
            long? ms = e is JsonValue ev && ev.TryGetValue(out long l) ? l : e is JsonValue dv && dv.TryGetValue(out double d) && d == Math.Floor(d) && d >= 0 && d < 9e15 ? (long)d : null;
            if (ms is not long m || m < 0) { throw Malformed("its expiresAtMs is not a whole number of milliseconds"); }
            expires = DateTimeOffset.FromUnixTimeMilliseconds(m);
            DateTimeOffset at = now ?? DateTimeOffset.UtcNow;
            if (expires <= at)
            {
                throw new SetupCodeException("SetupCodeExpired",
                    $"The setup code expired at {expires.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC (setup codes live 10 minutes and work once). Ask for a new one (New-OpenClawSetupCode).");
            }
        }
        string? pin = null;
        if (obj["tlsFingerprint"] is JsonNode f)
        {
            string? fs = f is JsonValue fv && fv.TryGetValue(out string? x) ? x : null;
            try { pin = Protocol.TlsFingerprint.Normalise(fs ?? string.Empty); }
            catch (FormatException ex) { throw Malformed("its tlsFingerprint is not a SHA-256 fingerprint", ex); }
            if (!gateway.Tls) { throw Malformed("it pins a TLS fingerprint for a plaintext ws:// url"); }
        }
        return new SetupCode(url, urls, token, expires, pin, gateway with { TlsFingerprint = pin });
    }

    /// <summary>A description without the bootstrap token: the gateway URL, expiry and whether a pin is carried.</summary>
    public override string ToString() =>
        $"setup code for {Url}" + (ExpiresAt is DateTimeOffset e ? $", expires {e.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : string.Empty) + (TlsFingerprint is null ? string.Empty : ", pinned");

    /// <summary>Masks a setup code for display: the first 6 characters, then <c>…</c> (null or short input gives <c>****</c>).</summary>
    public static string Mask(string? code) => code is null || code.Length <= 12 ? "****" : code.Substring(0, 6) + "…(" + code.Length + " chars)";

    private static bool HasControl(string s)
    {
        foreach (char c in s) { if (char.IsControl(c) || char.IsWhiteSpace(c)) { return true; } }
        return false;
    }

    private static SetupCodeException Malformed(string why, Exception? inner = null) =>
        new("SetupCodeMalformed", $"The setup code is not valid: {why}. Copy the whole code (or oc-pair:// link) the operator gave you, or ask for a new one.", inner);
}

/// <summary>A setup code could not be used; <see cref="ErrorId"/> is stable (<c>SetupCodeMissing</c>, <c>SetupCodeMalformed</c>, <c>SetupCodeExpired</c>).</summary>
public sealed class SetupCodeException : FormatException
{
    /// <summary>Creates the exception; the message must not contain the code.</summary>
    public SetupCodeException(string errorId, string message, Exception? inner = null) : base(message, inner) => ErrorId = errorId;

    /// <summary>Stable error id for scripts and PowerShell error records.</summary>
    public string ErrorId { get; }
}
