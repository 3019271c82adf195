using System;
using System.IO;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.State;

/// <summary>Where the node keeps its state: an explicit path, else <c>$OPENCLAW_STATE_DIR</c>, else <c>~/.openclaw</c>.</summary>
public static class StateDirectory
{
    /// <summary>The environment variable that overrides the default state directory.</summary>
    public const string EnvironmentVariable = "OPENCLAW_STATE_DIR";

    /// <summary>Resolves the state directory to a full path (does not create it). A leading <c>~</c> means the home folder.</summary>
    public static string Resolve(string? explicitPath)
    {
        string? path = explicitPath;
        if (string.IsNullOrWhiteSpace(path)) { path = Environment.GetEnvironmentVariable(EnvironmentVariable); }
        if (string.IsNullOrWhiteSpace(path)) { path = Path.Combine(HostPlatform.HomeDirectory, ".openclaw"); }
        path = path!.Trim();
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
        {
            path = Path.Combine(HostPlatform.HomeDirectory, path.Length > 2 ? path.Substring(2) : string.Empty);
        }
        return Path.GetFullPath(path);
    }
}
