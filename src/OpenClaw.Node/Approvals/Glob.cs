using System;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenClaw.Node.Approvals;

/// <summary>
/// Allowlist globs (spec §9.5): <c>**</c> matches any characters including <c>/</c>, <c>*</c> any run without <c>/</c>,
/// <c>?</c> one character other than <c>/</c>; everything else is literal; the whole string must match. Case-sensitive on
/// POSIX; on Windows case-insensitive with <c>\</c> normalised to <c>/</c>.
/// </summary>
public static class Glob
{
    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(string pattern, string text, bool windows)
    {
        if (windows)
        {
            pattern = pattern.Replace('\\', '/');
            text = text.Replace('\\', '/');
        }
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*')
            {
                if (i + 1 < pattern.Length && pattern[i + 1] == '*') { sb.Append(".*"); i++; }
                else { sb.Append("[^/]*"); }
            }
            else if (c == '?') { sb.Append("[^/]"); }
            else { sb.Append(Regex.Escape(c.ToString())); }
        }
        sb.Append('$');
        var options = RegexOptions.CultureInvariant | RegexOptions.Singleline | (windows ? RegexOptions.IgnoreCase : RegexOptions.None);
        return Regex.IsMatch(text, sb.ToString(), options, TimeSpan.FromMilliseconds(100));
    }

    /// <summary>True when the pattern contains a wildcard.</summary>
    public static bool HasWildcard(string pattern) => pattern.IndexOf('*') >= 0 || pattern.IndexOf('?') >= 0;
}
