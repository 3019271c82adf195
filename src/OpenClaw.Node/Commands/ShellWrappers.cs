using System;
using System.Collections.Generic;

namespace OpenClaw.Node.Commands;

/// <summary>Recognises shell wrappers (spec §9.6): a shell executable given an inline command.</summary>
internal static class ShellWrappers
{
    private static readonly HashSet<string> PosixShells = new(StringComparer.OrdinalIgnoreCase)
    {
        "ash", "bash", "csh", "dash", "elvish", "fish", "ksh", "mksh", "nu", "osh", "sh", "tcsh", "xonsh", "yash", "zsh",
    };

    /// <summary>True for <c>sh -c …</c>, <c>bash -lc …</c>, <c>cmd /c …</c>, <c>powershell -Command …</c> and the like.</summary>
    public static bool IsShellWrapper(IReadOnlyList<string> argv)
    {
        if (argv.Count < 2) { return false; }
        string name = Approvals.CommandHosts.BaseName(argv[0]);
        if (PosixShells.Contains(name))
        {
            for (int i = 1; i < argv.Count; i++)
            {
                string a = argv[i];
                if (a == "--command" || a == "-c") { return true; }
                if (a.StartsWith("-", StringComparison.Ordinal) && !a.StartsWith("--", StringComparison.Ordinal) && a.IndexOf('c') > 0) { return true; }
                if (!a.StartsWith("-", StringComparison.Ordinal)) { return false; }
            }
            return false;
        }
        if (name == "cmd")
        {
            foreach (string a in argv) { if (a.Equals("/c", StringComparison.OrdinalIgnoreCase) || a.Equals("/k", StringComparison.OrdinalIgnoreCase)) { return true; } }
            return false;
        }
        if (name == "powershell" || name == "pwsh")
        {
            for (int i = 1; i < argv.Count; i++)
            {
                string a = argv[i].ToLowerInvariant();
                if (!a.StartsWith("-", StringComparison.Ordinal) && !a.StartsWith("/", StringComparison.Ordinal)) { return true; }   // positional script/command
                string flag = a.TrimStart('-', '/');
                if (flag.Length > 0 && ("command".StartsWith(flag, StringComparison.Ordinal) || "encodedcommand".StartsWith(flag, StringComparison.Ordinal)
                    || flag == "ec" || "file".StartsWith(flag, StringComparison.Ordinal)))
                {
                    return true;
                }
            }
            return false;
        }
        return false;
    }
}
