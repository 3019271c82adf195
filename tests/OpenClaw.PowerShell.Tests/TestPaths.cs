using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// Where the tests find their inputs. Each can be overridden by an environment variable, e.g. to check the packaged
/// module: <c>OPENCLAW_PS_ASSEMBLY=out/OpenClaw/0.1.0/OpenClaw.PowerShell.dll dotnet test tests/OpenClaw.PowerShell.Tests</c>.
/// Relative assembly paths are taken from the repository root (the test host runs in its output folder).
/// </summary>
internal static class TestPaths
{
    /// <summary>Overrides the repository root (where OpenClaw.psd1, docs/ and module/ are read from).</summary>
    public const string RepositoryRootVariable = "OPENCLAW_REPO_ROOT";

    /// <summary>Overrides the OpenClaw.PowerShell.dll under test.</summary>
    public const string CmdletAssemblyVariable = "OPENCLAW_PS_ASSEMBLY";

    /// <summary>Overrides the System.Management.Automation.dll the cmdlet attributes are resolved against.</summary>
    public const string SmaAssemblyVariable = "OPENCLAW_SMA_ASSEMBLY";

    private const string PowerShellStandardVersion = "5.1.0-preview-06";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string ManifestPath => Path.Combine(RepositoryRoot, "OpenClaw.psd1");

    public static string FormatPath => Path.Combine(RepositoryRoot, "module", "OpenClaw.Format.ps1xml");

    public static string DocsDirectory => Path.Combine(RepositoryRoot, "docs");

    /// <summary>The OpenClaw.PowerShell.dll under test: the copy the build puts in metadata/cmdlet/ unless overridden.</summary>
    public static string CmdletAssembly
    {
        get
        {
            string path = FromVariable(CmdletAssemblyVariable, RepositoryRoot) ?? Path.Combine(AppContext.BaseDirectory, "metadata", "cmdlet", "OpenClaw.PowerShell.dll");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"OpenClaw.PowerShell.dll not found at '{path}'. Build the test project (it builds src/OpenClaw.PowerShell and copies it), or set {CmdletAssemblyVariable}.", path);
            }
            return path;
        }
    }

    /// <summary>System.Management.Automation.dll from PowerShellStandard.Library (the reference surface of Windows PowerShell 5.1).</summary>
    public static string SmaAssembly
    {
        get
        {
            string? overridden = FromVariable(SmaAssemblyVariable, RepositoryRoot);
            if (overridden is not null) { return overridden; }
            string copied = Path.Combine(AppContext.BaseDirectory, "metadata", "sma", "System.Management.Automation.dll");
            if (File.Exists(copied)) { return copied; }
            string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string fromPackage = Path.Combine(packages, "powershellstandard.library", PowerShellStandardVersion, "lib", "netstandard2.0", "System.Management.Automation.dll");
            if (File.Exists(fromPackage)) { return fromPackage; }
            throw new FileNotFoundException(
                $"System.Management.Automation.dll not found in '{copied}' or '{fromPackage}'. Restore PowerShellStandard.Library {PowerShellStandardVersion}, or set {SmaAssemblyVariable}.");
        }
    }

    private static string? FromVariable(string name, string? relativeTo = null)
    {
        string? value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value)) { return null; }
        return relativeTo is null ? Path.GetFullPath(value) : Path.GetFullPath(value, relativeTo);
    }

    private static string FindRepositoryRoot()
    {
        string? candidate = FromVariable(RepositoryRootVariable)
            ?? typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Where(a => a.Key == "RepositoryRoot").Select(a => a.Value).FirstOrDefault();
        if (candidate is not null && IsRepositoryRoot(candidate)) { return Path.GetFullPath(candidate); }
        for (DirectoryInfo? dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (IsRepositoryRoot(dir.FullName)) { return dir.FullName; }
        }
        throw new DirectoryNotFoundException(
            $"The repository root (the folder holding OpenClaw.psd1 and Directory.Build.props) was not found; set {RepositoryRootVariable}.");
    }

    private static bool IsRepositoryRoot(string dir) =>
        File.Exists(Path.Combine(dir, "OpenClaw.psd1")) && File.Exists(Path.Combine(dir, "Directory.Build.props"));
}
