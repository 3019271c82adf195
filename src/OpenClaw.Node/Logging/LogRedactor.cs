using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// Removes secrets from log text before any sink sees it: every registered secret value (gateway token, password,
/// device token, bootstrap/setup code), JSON members whose name says token, password, secret, private key, setup code
/// or signature, <c>token=</c>/<c>password=</c> style pairs, <c>Bearer</c> credentials and PEM private-key blocks.
/// Each becomes <c>[redacted]</c>. Thread-safe.
/// </summary>
public sealed class LogRedactor
{
    /// <summary>What replaces a secret.</summary>
    public const string Mask = "[redacted]";

    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);
    private static readonly Regex JsonMember = new(
        "(\"[A-Za-z_]*(?:[Tt]oken|TOKEN|[Pp]assword|PASSWORD|[Ss]ecret|SECRET|[Pp]rivate[Kk]ey[A-Za-z]*|[Ss]etup[Cc]ode|[Bb]ootstrap[Cc]ode|[Ss]ignature)\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"",
        RegexOptions.CultureInvariant, Timeout);
    private static readonly Regex Pair = new(
        "(?i)(\\b[a-z_]*(?:token|password|passwd|secret|setup[_-]?code|bootstrap[_-]?code)\\s*[=:]\\s*)(?!\\[redacted\\])[^\\s&\"',;)]+",
        RegexOptions.CultureInvariant, Timeout);
    private static readonly Regex Bearer = new("(?i)(\\bbearer\\s+)[A-Za-z0-9._~+/=-]+", RegexOptions.CultureInvariant, Timeout);
    private static readonly Regex Pem = new("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)", RegexOptions.CultureInvariant, Timeout);

    private readonly object _gate = new();
    private string[] _secrets = Array.Empty<string>();

    /// <summary>Registers a secret value (ignored when null or shorter than 6 characters, which would mask ordinary words).</summary>
    public void AddSecret(string? secret)
    {
        if (secret is null || secret.Length < 6) { return; }
        lock (_gate)
        {
            if (Array.IndexOf(_secrets, secret) >= 0) { return; }
            var next = new List<string>(_secrets) { secret };
            next.Sort((a, b) => b.Length.CompareTo(a.Length));   // longest first, so a secret containing another is masked whole
            _secrets = next.ToArray();
        }
    }

    /// <summary>The text with every secret replaced by <see cref="Mask"/>.</summary>
    public string Scrub(string text)
    {
        if (string.IsNullOrEmpty(text)) { return text; }
        string s = text;
        foreach (string secret in _secrets)
        {
            if (s.IndexOf(secret, StringComparison.Ordinal) >= 0) { s = s.Replace(secret, Mask); }
        }
        try
        {
            s = Pem.Replace(s, Mask);
            s = JsonMember.Replace(s, "$1\"" + Mask + "\"");
            s = Bearer.Replace(s, "$1" + Mask);
            s = Pair.Replace(s, "$1" + Mask);
        }
        catch (RegexMatchTimeoutException)
        {
            return "[log line withheld: it could not be checked for secrets in time]";
        }
        return s;
    }
}
