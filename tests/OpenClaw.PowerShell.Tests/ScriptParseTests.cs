using System;
using System.IO;
using System.Linq;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>Every .ps1/.psm1/.psd1 of the repository parses with PowerShell's own parser (System.Management.Automation
/// 7.6 in openclaw-pshost); a parse error fails with path:line:column.</summary>
public sealed class ScriptParseTests
{
    [Fact]
    public void Every_PowerShell_file_in_the_repository_parses()
    {
        string root = TestPaths.RepositoryRoot;
        string[] skip = { "bin", "obj", "out", ".git", ".cache", "node_modules", "TestResults" };
        string[] files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".psm1", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => skip.Contains(part, StringComparer.OrdinalIgnoreCase)))
            .OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.Contains("build.ps1", files);
        Assert.Contains("OpenClaw.psd1", files);

        string[] args = new[] { ChildProcess.PowerShellHost, "parse" }.Concat(files.Select(f => Path.Combine(root, f))).ToArray();
        ProcessResult r = ChildProcess.Run("dotnet", args, TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, "Parse errors:\n" + r.Output.Replace(root + Path.DirectorySeparatorChar, "") + r.Error);
        Assert.Contains($"parsed {files.Length} file(s), 0 with errors", r.Output);
    }
}
