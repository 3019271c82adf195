using System;
using System.IO;

namespace OpenClaw.Node.Approvals;

/// <summary>Resolves every symbolic link in a path (like realpath(3)), with a bound on link chains.</summary>
internal static class RealPath
{
    public static string Resolve(string path)
    {
#if NET
        string full = Path.GetFullPath(path);
        for (int depth = 0; depth < 40; depth++)
        {
            string? next = ResolveOnce(full);
            if (next is null) { return full; }
            full = next;
        }
        return full;
#else
        return Path.GetFullPath(path);
#endif
    }

#if NET
    /// <summary>Replaces the first symlinked component of <paramref name="full"/>; null when none is a link.</summary>
    private static string? ResolveOnce(string full)
    {
        string root = Path.GetPathRoot(full) ?? "/";
        string[] parts = full.Substring(root.Length).Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.RemoveEmptyEntries);
        string current = root;
        for (int i = 0; i < parts.Length; i++)
        {
            string candidate = Path.Combine(current, parts[i]);
            string? target;
            try { target = new FileInfo(candidate).LinkTarget; }
            catch (IOException) { target = null; }
            catch (UnauthorizedAccessException) { target = null; }
            if (target is not null)
            {
                string resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
                for (int j = i + 1; j < parts.Length; j++) { resolved = Path.Combine(resolved, parts[j]); }
                return Path.GetFullPath(resolved);
            }
            current = candidate;
        }
        return null;
    }
#endif
}
