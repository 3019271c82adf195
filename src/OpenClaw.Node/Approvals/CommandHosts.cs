using System;
using System.Collections.Generic;
using System.IO;

namespace OpenClaw.Node.Approvals;

/// <summary>
/// Shells and command hosts: programs that run whatever text they are given. An allowlist never auto-allows them, and a
/// standing rule may not name one (users.md SW-06): sh, bash, zsh, dash, ash, ksh, mksh, fish, csh, tcsh, yash, elvish,
/// nu, osh, xonsh, busybox, toybox, cmd, powershell, pwsh, wsl, bash.exe-style names, cscript, wscript, mshta.
/// </summary>
public static class CommandHosts
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "sh", "bash", "zsh", "dash", "ash", "ksh", "mksh", "fish", "csh", "tcsh", "yash", "elvish", "nu", "osh", "xonsh",
        "busybox", "toybox", "cmd", "powershell", "pwsh", "powershell_ise", "wsl", "cscript", "wscript", "mshta",
    };

    /// <summary>Lower-cased basename without quotes and without a Windows executable extension.</summary>
    public static string BaseName(string pathOrName)
    {
        string s = pathOrName.Trim().Trim('"', '\'').Replace('\\', '/');
        int slash = s.LastIndexOf('/');
        if (slash >= 0) { s = s.Substring(slash + 1); }
        foreach (string ext in new[] { ".exe", ".com", ".bat", ".cmd" })
        {
            if (s.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) { s = s.Substring(0, s.Length - ext.Length); break; }
        }
        return s.ToLowerInvariant();
    }

    /// <summary>True when the executable (a name or a path) is a shell or command host.</summary>
    public static bool IsCommandHost(string pathOrName) => Names.Contains(BaseName(pathOrName));

    /// <summary>True when a Windows batch script (which cmd.exe interprets).</summary>
    public static bool IsBatchScript(string path) =>
        path.EndsWith(".bat", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".cmd", StringComparison.OrdinalIgnoreCase);

    /// <summary>The reason a standing allowlist pattern is refused, or null when it may be stored.</summary>
    public static string? RefusePattern(string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern)) { return "the pattern is empty"; }
        string name = BaseName(pattern);
        if (Names.Contains(name) || IsBatchScript(pattern.Trim().Trim('"', '\'')))
        {
            return $"'{pattern}' names a shell or command host ({name}); such programs run arbitrary text, so they can only be allowed one run at a time with an approval";
        }
        return null;
    }
}
