using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Approvals;

/// <summary>
/// Allowlist <c>argPattern</c>s (spec §9.5): either a regular expression tested against <c>argv[1..]</c> joined with
/// single spaces (or with NUL separators and a trailing NUL when the pattern itself contains NUL), or an exact
/// <c>sha256:cwd-argv:v1:&lt;hex&gt;</c> binding of the working directory and arguments. Regexes run with a 100 ms
/// timeout; a timeout is a miss, never a match. Legacy <c>sha256:argv:</c> patterns never match.
/// </summary>
public static class ArgPatterns
{
    /// <summary>Prefix of the exact cwd+argv binding.</summary>
    public const string CwdArgvPrefix = "sha256:cwd-argv:v1:";

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The binding pattern for <paramref name="argv"/> (index 0 is the executable and is not part of it) run in <paramref name="cwd"/>.</summary>
    public static string CwdArgv(string cwd, IReadOnlyList<string> argv)
    {
        string c = NormaliseCwd(cwd);
        var sb = new StringBuilder();
        sb.Append(Utf8Len(c)).Append('\0').Append(c).Append('\0').Append((argv.Count - 1).ToString(CultureInfo.InvariantCulture)).Append('\0');
        for (int i = 1; i < argv.Count; i++) { sb.Append(Utf8Len(argv[i])).Append('\0').Append(argv[i]).Append('\0'); }
        return CwdArgvPrefix + Hex.Sha256(sb.ToString());
    }

    private static string Utf8Len(string s) => Encoding.UTF8.GetByteCount(s).ToString(CultureInfo.InvariantCulture);

    /// <summary>Posix-style normalisation: backslashes to slashes, <c>.</c> and <c>..</c> resolved, no trailing slash.</summary>
    public static string NormaliseCwd(string cwd)
    {
        string p = cwd.Replace('\\', '/');
        bool rooted = p.StartsWith("/", StringComparison.Ordinal);
        var parts = new List<string>();
        foreach (string part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".") { continue; }
            if (part == ".." && parts.Count > 0 && parts[parts.Count - 1] != "..") { parts.RemoveAt(parts.Count - 1); continue; }
            if (part == ".." && rooted) { continue; }
            parts.Add(part);
        }
        string joined = string.Join("/", parts);
        return rooted ? "/" + joined : (joined.Length == 0 ? "." : joined);
    }

    /// <summary>True when <paramref name="pattern"/> can be used; <paramref name="why"/> says why not.</summary>
    public static bool IsValid(string pattern, out string? why)
    {
        why = null;
        if (pattern.StartsWith(CwdArgvPrefix, StringComparison.Ordinal))
        {
            string hex = pattern.Substring(CwdArgvPrefix.Length);
            if (hex.Length == 64 && IsLowerHex(hex)) { return true; }
            why = "a cwd-argv binding needs 64 lowercase hex digits";
            return false;
        }
        if (pattern.StartsWith("sha256:", StringComparison.Ordinal)) { return true; }   // legacy forms: valid, never match
        try
        {
            _ = Compile(pattern);
            return true;
        }
        catch (ArgumentException ex)
        {
            why = ex.Message;
            return false;
        }
    }

    /// <summary>Tests the pattern against a run.</summary>
    public static bool Matches(string pattern, IReadOnlyList<string> argv, string cwd, bool windows)
    {
        if (pattern.StartsWith(CwdArgvPrefix, StringComparison.Ordinal))
        {
            return string.Equals(pattern, CwdArgv(cwd, argv), StringComparison.Ordinal);
        }
        if (pattern.StartsWith("sha256:", StringComparison.Ordinal)) { return false; }
        Regex regex;
        try { regex = Compile(pattern); }
        catch (ArgumentException) { return false; }
        bool nul = pattern.IndexOf('\0') >= 0;
        var args = new List<string>();
        for (int i = 1; i < argv.Count; i++) { args.Add(argv[i]); }
        string subject = nul ? string.Concat(args.ConvertAll(a => a + "\0")) : string.Join(" ", args);
        try
        {
            if (regex.IsMatch(subject)) { return true; }
            return windows && regex.IsMatch(subject.Replace('/', '\\'));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static Regex Compile(string pattern)
    {
        try { return new Regex(pattern, RegexOptions.ECMAScript | RegexOptions.CultureInvariant, RegexTimeout); }
        catch (ArgumentException) { return new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout); }
    }

    private static bool IsLowerHex(string s)
    {
        foreach (char c in s) { if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) { return false; } }
        return true;
    }
}
