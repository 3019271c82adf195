using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// The packaged module (out/OpenClaw/&lt;version&gt;/ as scripts/package.sh builds it). scripts/test.sh packages first and
/// passes the output root in OPENCLAW_PACKAGE_OUT; without it (dotnet test alone) the fixture runs scripts/package.sh
/// into a temporary folder once per test run.
/// </summary>
public sealed class PackagedModule : IDisposable
{
    /// <summary>Output root of an existing package (the --out of scripts/package.sh), e.g. out/.</summary>
    public const string PackageOutVariable = "OPENCLAW_PACKAGE_OUT";

    private readonly string? _temp;

    public PackagedModule()
    {
        string? given = Environment.GetEnvironmentVariable(PackageOutVariable);
        string outRoot;
        if (!string.IsNullOrWhiteSpace(given))
        {
            outRoot = Path.GetFullPath(given, TestPaths.RepositoryRoot);
        }
        else
        {
            _temp = Path.Combine(Path.GetTempPath(), "openclaw-pkg-" + Guid.NewGuid().ToString("N")[..12]);
            outRoot = _temp;
            ProcessResult r = ChildProcess.Run("bash", new[] { Path.Combine(TestPaths.RepositoryRoot, "scripts", "package.sh"), "--out", outRoot }, TimeSpan.FromMinutes(9));
            Assert.True(r.ExitCode == 0, "scripts/package.sh failed:\n" + r.Output + r.Error);
        }
        Version = Regex.Match(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "Directory.Build.props")), "<ModuleVersion>\\s*([^<\\s]+)\\s*</ModuleVersion>").Groups[1].Value;
        Folder = Path.Combine(outRoot, "OpenClaw", Version);
        Assert.True(File.Exists(Path.Combine(Folder, "OpenClaw.psd1")), $"No packaged module in {Folder}; run scripts/package.sh (or unset {PackageOutVariable}).");
        string[] rids = Directory.GetDirectories(Path.Combine(Folder, "bin")).Select(Path.GetFileName).ToArray()!;
        Assert.True(rids.Length == 1, "Expected one bin/<rid>/ folder, found: " + string.Join(", ", rids));
        Rid = rids[0];
    }

    /// <summary>ModuleVersion from Directory.Build.props.</summary>
    public string Version { get; }

    /// <summary>out/OpenClaw/&lt;version&gt;/.</summary>
    public string Folder { get; }

    /// <summary>The runtime of the bundled host (the single folder under bin/).</summary>
    public string Rid { get; }

    /// <summary>The packaged manifest.</summary>
    public string Manifest => Path.Combine(Folder, "OpenClaw.psd1");

    public void Dispose()
    {
        if (_temp is not null)
        {
            try { Directory.Delete(_temp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>The packaged module, shared by every test class that needs it (packaging runs at most once).</summary>
[CollectionDefinition(Name)]
public sealed class PackagedModuleCollection : ICollectionFixture<PackagedModule>
{
    public const string Name = "Packaged module";
}

/// <summary>Output of a finished child process.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>Runs child processes with a deadline; openclaw-pshost is the hosted PowerShell 7.6.</summary>
public static class ChildProcess
{
    /// <summary>openclaw-pshost.dll (tests/OpenClaw.PowerShell.Host), built with this project.</summary>
    public static string PowerShellHost => Metadata("PowerShellHost");

    /// <summary>A BouncyCastle.Crypto.dll of another version than the engine's (Portable.BouncyCastle 1.9.0).</summary>
    public static string OtherBouncyCastle => Metadata("OtherBouncyCastle");

    private static string Metadata(string key)
    {
        string path = typeof(ChildProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
        Assert.True(File.Exists(path), $"{key}: {path} not found; build tests/OpenClaw.PowerShell.Tests.");
        return path;
    }

    /// <summary>Runs a PowerShell script in openclaw-pshost with the given environment variables.</summary>
    public static ProcessResult RunPowerShell(string script, TimeSpan timeout, params (string Name, string Value)[] env)
    {
        string file = Path.Combine(Path.GetTempPath(), "openclaw-test-" + Guid.NewGuid().ToString("N")[..12] + ".ps1");
        File.WriteAllText(file, script);
        try { return Run("dotnet", new[] { PowerShellHost, "run", file }, timeout, env); }
        finally { File.Delete(file); }
    }

    /// <summary>Runs <paramref name="fileName"/>; kills it (and fails the test) at <paramref name="timeout"/>.</summary>
    public static ProcessResult Run(string fileName, string[] args, TimeSpan timeout, params (string Name, string Value)[] env)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) { psi.ArgumentList.Add(a); }
        foreach ((string name, string value) in env) { psi.Environment[name] = value; }
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit((int)timeout.TotalMilliseconds))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Assert.Fail($"{fileName} {string.Join(' ', args)} did not finish within {timeout}.\n{stdout}{stderr}");
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
