using System;
using System.Collections.Generic;
using System.IO;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Commands;

/// <summary>
/// Finds executables the way <c>system.which</c> and <c>system.run</c> do (spec §8.4, §9.5): a name without a path
/// separator is searched in each directory of the node's own PATH (request env cannot change it); on Windows each
/// PATHEXT extension is tried (default <c>.EXE;.CMD;.BAT;.COM</c>, lower-cased). A name with a separator is resolved
/// against the working directory.
/// </summary>
internal sealed class PathResolver
{
    private readonly string[] _dirs;
    private readonly string[] _exts;
    private readonly bool _windows;

    public PathResolver(string? path, string? pathExt, bool windows)
    {
        _windows = windows;
        char sep = windows ? ';' : ':';
        _dirs = (path ?? string.Empty).Split(new[] { sep }, StringSplitOptions.RemoveEmptyEntries);
        if (windows)
        {
            string exts = string.IsNullOrWhiteSpace(pathExt) ? ".EXE;.CMD;.BAT;.COM" : pathExt!;
            var list = new List<string>();
            foreach (string e in exts.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                string t = e.Trim().ToLowerInvariant();
                if (t.Length > 0) { list.Add(t.StartsWith(".", StringComparison.Ordinal) ? t : "." + t); }
            }
            _exts = list.ToArray();
        }
        else
        {
            _exts = Array.Empty<string>();
        }
    }

    /// <summary>The resolver for this process's PATH and PATHEXT.</summary>
    public static PathResolver FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("PATH"), Environment.GetEnvironmentVariable("PATHEXT"), HostPlatform.IsWindows);

    /// <summary>The PATH value the resolver searches.</summary>
    public string PathValue => string.Join(_windows ? ";" : ":", _dirs);

    public static bool HasPathSeparator(string name) => name.IndexOf('/') >= 0 || name.IndexOf('\\') >= 0;

    /// <summary>The first match on PATH for a bare name, else null (names with a separator are not searched).</summary>
    public string? Which(string name)
    {
        if (string.IsNullOrEmpty(name) || HasPathSeparator(name) || name.IndexOf('\0') >= 0) { return null; }
        foreach (string dir in _dirs)
        {
            string d = dir.Trim().Trim('"');
            if (d.Length == 0 || !Path.IsPathRooted(d)) { continue; }   // relative PATH entries are never searched
            foreach (string candidate in Candidates(Path.Combine(d, name), name))
            {
                if (IsExecutableFile(candidate)) { return candidate; }
            }
        }
        return null;
    }

    /// <summary>Resolves argv[0] for execution: PATH search for bare names, else relative to <paramref name="cwd"/>.</summary>
    public string? ResolveExecutable(string argv0, string cwd)
    {
        if (!HasPathSeparator(argv0)) { return Which(argv0); }
        string full = Path.GetFullPath(Path.Combine(cwd, argv0));
        foreach (string candidate in Candidates(full, argv0))
        {
            if (IsExecutableFile(candidate)) { return candidate; }
        }
        return null;
    }

    private IEnumerable<string> Candidates(string basePath, string name)
    {
        if (!_windows)
        {
            yield return basePath;
            yield break;
        }
        string ext = Path.GetExtension(name).ToLowerInvariant();
        if (ext.Length > 0 && Array.IndexOf(_exts, ext) >= 0) { yield return basePath; }
        foreach (string e in _exts) { yield return basePath + e; }
    }

    // File.Exists is false for a directory; on Unix the execute bits decide too.
    private bool IsExecutableFile(string path) => _windows ? File.Exists(path) : FilePermissions.IsExecutableFile(path);
}
