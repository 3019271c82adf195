using System;
using System.Collections.Generic;
using System.IO;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Service;

/// <summary>Finds the <c>openclaw-node</c> executable a service definition should start.</summary>
public static class NodeHostExecutable
{
    /// <summary>File name of the host on this platform (<c>openclaw-node.exe</c> on Windows).</summary>
    public static string FileName => HostPlatform.IsWindows ? "openclaw-node.exe" : "openclaw-node";

    /// <summary>
    /// Returns the full path: <paramref name="explicitPath"/> when given (must exist), else the first of
    /// <c>&lt;moduleDirectory&gt;/bin/*/openclaw-node</c>, <c>&lt;moduleDirectory&gt;/openclaw-node</c> and the folders of <c>PATH</c>.
    /// </summary>
    /// <param name="explicitPath">A path the user gave, or null.</param>
    /// <param name="moduleDirectory">The folder of the calling module/executable, or null.</param>
    /// <exception cref="FileNotFoundException">Not found; the message says where it looked and how to give the path.</exception>
    public static string Find(string? explicitPath, string? moduleDirectory)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            string full = Path.GetFullPath(explicitPath);
            if (!File.Exists(full)) { throw new FileNotFoundException($"The openclaw-node executable '{full}' does not exist.", full); }
            return full;
        }
        var looked = new List<string>();
        if (!string.IsNullOrEmpty(moduleDirectory))
        {
            string bin = Path.Combine(moduleDirectory, "bin");
            if (Directory.Exists(bin))
            {
                foreach (string rid in Directory.GetDirectories(bin))
                {
                    string c = Path.Combine(rid, FileName);
                    if (File.Exists(c)) { return c; }
                }
            }
            looked.Add(Path.Combine(bin, "<rid>", FileName));
            string direct = Path.Combine(moduleDirectory, FileName);
            if (File.Exists(direct)) { return direct; }
            looked.Add(direct);
        }
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (dir.Length == 0) { continue; }
            string c = Path.Combine(dir, FileName);
            if (File.Exists(c)) { return Path.GetFullPath(c); }
        }
        looked.Add("PATH");
        throw new FileNotFoundException($"Cannot find {FileName} (looked in {string.Join(", ", looked)}). Give its full path with -ExecutablePath.", FileName);
    }
}
