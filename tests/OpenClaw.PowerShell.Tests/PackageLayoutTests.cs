using System;
using System.IO;
using System.Linq;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>The packaged module, file by file: nothing missing, nothing extra.</summary>
[Collection(PackagedModuleCollection.Name)]
public sealed class PackageLayoutTests
{
    private readonly PackagedModule _module;

    public PackageLayoutTests(PackagedModule module) => _module = module;

    /// <summary>Every file of out/OpenClaw/&lt;version&gt;/. A new dependency or file must be added here on purpose.</summary>
    private string[] Expected()
    {
        string exe = _module.Rid.StartsWith("win-", StringComparison.Ordinal) ? "openclaw-node.exe" : "openclaw-node";
        return new[]
        {
            "OpenClaw.psd1",
            "OpenClaw.PowerShell.dll",
            "OpenClaw.Format.ps1xml",
            "en-US/about_OpenClaw.help.txt",
            "en-US/about_OpenClaw_ExecApprovals.help.txt",
            "en-US/OpenClaw.PowerShell.dll-Help.xml",
            "Dependencies/OpenClaw.Node.dll",
            "Dependencies/BouncyCastle.Crypto.dll",
            "Dependencies/Polly.Core.dll",
            // Import-OpenClawNodeState reads the official host's SQLite store (managed parts here, the native library in native/ below).
            "Dependencies/Microsoft.Data.Sqlite.dll",
            "Dependencies/SQLitePCLRaw.batteries_v2.dll",
            "Dependencies/SQLitePCLRaw.core.dll",
            "Dependencies/SQLitePCLRaw.provider.e_sqlite3.dll",
            // Its native SQLite for this runtime, loaded by the module's load context from Dependencies/native/.
            _module.Rid.StartsWith("win", StringComparison.Ordinal) ? "Dependencies/native/e_sqlite3.dll"
                : _module.Rid.StartsWith("osx", StringComparison.Ordinal) ? "Dependencies/native/libe_sqlite3.dylib" : "Dependencies/native/libe_sqlite3.so",
            "Dependencies/Microsoft.Bcl.AsyncInterfaces.dll",
            "Dependencies/Microsoft.Bcl.TimeProvider.dll",
            "Dependencies/System.Buffers.dll",
            "Dependencies/System.ComponentModel.Annotations.dll",
            "Dependencies/System.IO.Pipelines.dll",
            "Dependencies/System.Memory.dll",
            "Dependencies/System.Numerics.Vectors.dll",
            "Dependencies/System.Runtime.CompilerServices.Unsafe.dll",
            "Dependencies/System.Text.Encodings.Web.dll",
            "Dependencies/System.Text.Json.dll",
            "Dependencies/System.Threading.Tasks.Extensions.dll",
            // The machine policy (HKLM:\SOFTWARE\Policies\OpenClaw) and the Event Log sink on Windows (inert elsewhere).
            "Dependencies/Microsoft.Win32.Registry.dll",
            "Dependencies/System.Diagnostics.EventLog.dll",
            "Dependencies/System.Security.AccessControl.dll",
            "Dependencies/System.Security.Principal.Windows.dll",
            $"bin/{_module.Rid}/{exe}",
            $"bin/{_module.Rid}/openclaw-node.dll",
            $"bin/{_module.Rid}/openclaw-node.deps.json",
            $"bin/{_module.Rid}/openclaw-node.runtimeconfig.json",
            $"bin/{_module.Rid}/OpenClaw.Node.dll",
            $"bin/{_module.Rid}/BouncyCastle.Crypto.dll",
            $"bin/{_module.Rid}/Polly.Core.dll",
            $"bin/{_module.Rid}/System.CommandLine.dll",
            $"bin/{_module.Rid}/Microsoft.Data.Sqlite.dll",
            $"bin/{_module.Rid}/SQLitePCLRaw.batteries_v2.dll",
            $"bin/{_module.Rid}/SQLitePCLRaw.core.dll",
            $"bin/{_module.Rid}/SQLitePCLRaw.provider.e_sqlite3.dll",
            _module.Rid.StartsWith("win", StringComparison.Ordinal) ? $"bin/{_module.Rid}/e_sqlite3.dll"
                : _module.Rid.StartsWith("osx", StringComparison.Ordinal) ? $"bin/{_module.Rid}/libe_sqlite3.dylib" : $"bin/{_module.Rid}/libe_sqlite3.so",
            // The Windows Service Control Manager glue of `run --windows-service` (inert elsewhere).
            $"bin/{_module.Rid}/System.ServiceProcess.ServiceController.dll",
            $"bin/{_module.Rid}/System.Diagnostics.EventLog.dll",
            // The DSC v3 resource OpenClaw/Node (module root for module discovery, next to the host for PATH discovery) and
            // the Intune Win32 app, detection and remediation scripts (module/Intune).
            "OpenClaw.Node.dsc.resource.json",
            $"bin/{_module.Rid}/OpenClaw.Node.dsc.resource.json",
            "Intune/README.md",
            "Intune/Install-OpenClawNodeApp.ps1",
            "Intune/Uninstall-OpenClawNodeApp.ps1",
            "Intune/Detect-OpenClawNode.ps1",
            "Intune/Remediate-OpenClawNode.ps1",
            // openclaw-browser, the browser.proxy helper openclaw-node starts on first use (Playwright for .NET). Its driver
            // (.playwright/, ~136 MB) ships only with package.sh --with-browser-driver, never by default.
            $"bin/{_module.Rid}/browser/{(_module.Rid.StartsWith("win-", StringComparison.Ordinal) ? "openclaw-browser.exe" : "openclaw-browser")}",
            $"bin/{_module.Rid}/browser/openclaw-browser.dll",
            $"bin/{_module.Rid}/browser/openclaw-browser.deps.json",
            $"bin/{_module.Rid}/browser/openclaw-browser.runtimeconfig.json",
            $"bin/{_module.Rid}/browser/Microsoft.Playwright.dll",
            $"bin/{_module.Rid}/browser/Microsoft.Bcl.AsyncInterfaces.dll",
        };
    }

    [Fact]
    public void The_package_holds_exactly_the_expected_files()
    {
        string[] actual = Directory.EnumerateFiles(_module.Folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_module.Folder, f).Replace('\\', '/'))
            .OrderBy(f => f, StringComparer.Ordinal).ToArray();
        string[] expected = Expected().OrderBy(f => f, StringComparer.Ordinal).ToArray();
        string[] missing = expected.Except(actual).ToArray();
        string[] extra = actual.Except(expected).ToArray();
        Assert.True(missing.Length == 0 && extra.Length == 0,
            $"Package layout of {_module.Folder} differs.\nMissing:\n  {string.Join("\n  ", missing)}\nUnexpected:\n  {string.Join("\n  ", extra)}");
    }

    [Fact]
    public void The_packaged_host_runs_with_the_small_process_runtime_settings()
    {
        // Measured in bench/RESULTS.md: workstation non-concurrent GC for a small idle process, and thread-pool workers
        // that sleep instead of spinning (the spin was over half the host's CPU per system.which and took the CPU from the
        // gateway on the same machine).
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_module.Folder, "bin", _module.Rid, "openclaw-node.runtimeconfig.json")))!;
        var props = config["runtimeOptions"]!["configProperties"]!;
        Assert.Equal("0", props["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]?.ToString());
        Assert.Equal("false", props["System.GC.Concurrent"]?.ToString().ToLowerInvariant());
    }

    [Fact]
    public void The_packaged_manifest_carries_the_version_and_loads_the_root_module()
    {
        string text = File.ReadAllText(_module.Manifest);
        Assert.Contains($"ModuleVersion          = '{_module.Version}'", text);
        Assert.DoesNotContain("{{", text);
        Assert.Contains("RootModule             = 'OpenClaw.PowerShell.dll'", text);
    }

    [Fact]
    public void No_dependency_sits_next_to_the_root_module()
    {
        string[] rootDlls = Directory.GetFiles(_module.Folder, "*.dll").Select(Path.GetFileName).ToArray()!;
        Assert.Equal(new[] { "OpenClaw.PowerShell.dll" }, rootDlls);
    }

    [Fact]
    public void The_browser_helper_ships_without_the_playwright_driver_by_default()
    {
        string browser = Path.Combine(_module.Folder, "bin", _module.Rid, "browser");
        Assert.True(File.Exists(Path.Combine(browser, "openclaw-browser.dll")), "no openclaw-browser in " + browser);
        Assert.False(Directory.Exists(Path.Combine(browser, ".playwright")), "the default package must not carry the ~136 MB Playwright driver");
        long bytes = Directory.EnumerateFiles(browser, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(bytes < 5 * 1024 * 1024, $"bin/{_module.Rid}/browser holds {bytes} bytes; the helper alone is ~1.3 MB");
    }

    [Fact]
    public void The_host_executable_is_executable()
    {
        if (OperatingSystem.IsWindows()) { return; }
        string exe = Path.Combine(_module.Folder, "bin", _module.Rid, "openclaw-node");
        Assert.True((File.GetUnixFileMode(exe) & UnixFileMode.UserExecute) != 0, exe + " is not executable");
    }
}
