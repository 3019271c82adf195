using System;
using System.IO;
using System.Linq;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// The packaged module imported by a real PowerShell 7.6 (openclaw-pshost, a child process per test) in a session where
/// another module already loaded a different BouncyCastle.Crypto (1.9.0; the engine pins 1.8.10). With the isolation
/// the engine and its BouncyCastle load from Dependencies/ in the module's own load context, beside the other copy; the
/// control test shows that without it (a flat layout) the engine silently binds the other module's copy.
/// Windows PowerShell 5.1 (AssemblyResolve) cannot be run here; see the report and .github/workflows/windows.yml.
/// </summary>
[Collection(PackagedModuleCollection.Name)]
public sealed class ModuleIsolationTests
{
    // Loads "another module's" BouncyCastle, imports the module, starts a node host against a closed port (the host
    // creates its device identity with BouncyCastle, then fails to connect and retries), stops at the first retry and
    // lists the assemblies involved: name|version|load context type|location.
    private const string Scenario = """
        $ErrorActionPreference = 'Stop'
        $null = [System.Reflection.Assembly]::LoadFrom($env:OTHER_BC)
        Import-Module $env:MANIFEST
        'commands=' + @(Get-Command -Module OpenClaw).Count
        do {
            Start-OpenClawNode -HostName 127.0.0.1 -Port 9 -StateDirectory $env:STATE_DIR | ForEach-Object {
                'state=' + $_.State
                if ($_.State -in 'Reconnecting', 'Failed', 'Stopped') { break }
            }
        } while ($false)
        'identity=' + (Test-Path (Join-Path $env:STATE_DIR 'identity/device.json'))
        Edit-OpenClawExecApproval -Security Allowlist -StateDirectory $env:STATE_DIR -Confirm:$false
        'policy=' + (Get-OpenClawExecApproval -StateDirectory $env:STATE_DIR).Security
        [AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { $_.GetName().Name -in 'BouncyCastle.Crypto', 'OpenClaw.Node', 'Polly.Core', 'System.Text.Json' } |
            ForEach-Object { 'asm={0}|{1}|{2}|{3}' -f $_.GetName().Name, $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).GetType().Name, $_.Location }
        """;

    private readonly PackagedModule _module;

    public ModuleIsolationTests(PackagedModule module) => _module = module;

    private (string[] Lines, string[][] Assemblies) RunScenario(string manifest)
    {
        string state = Path.Combine(Path.GetTempPath(), "openclaw-iso-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            ProcessResult r = ChildProcess.RunPowerShell(Scenario, TimeSpan.FromMinutes(2),
                ("OTHER_BC", ChildProcess.OtherBouncyCastle), ("MANIFEST", manifest), ("STATE_DIR", state));
            Assert.True(r.ExitCode == 0, $"The scenario failed (exit {r.ExitCode}):\n{r.Output}\n{r.Error}");
            string[] lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (lines, lines.Where(l => l.StartsWith("asm=", StringComparison.Ordinal)).Select(l => l[4..].Split('|')).ToArray());
        }
        finally
        {
            try { Directory.Delete(state, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void The_engine_and_its_dependencies_load_from_Dependencies_in_their_own_context_beside_another_modules_copy()
    {
        (string[] lines, string[][] asm) = RunScenario(_module.Manifest);
        string deps = Path.Combine(_module.Folder, "Dependencies");

        Assert.Contains(lines, l => l.StartsWith("commands=", StringComparison.Ordinal) && int.Parse(l[9..]) >= 12);
        Assert.Contains("state=Reconnecting", lines);
        Assert.Contains("identity=True", lines);
        Assert.Contains("policy=Allowlist", lines);

        string[] engine = Assert.Single(asm, a => a[0] == "OpenClaw.Node");
        Assert.Equal("DependencyLoadContext", engine[2]);
        Assert.Equal(Path.Combine(deps, "OpenClaw.Node.dll"), engine[3]);

        // Two BouncyCastles side by side: the other module's 1.9.0 in the default context, the engine's 1.8.10 in ours.
        string[][] bc = asm.Where(a => a[0] == "BouncyCastle.Crypto").ToArray();
        Assert.Equal(2, bc.Length);
        Assert.Contains(bc, a => a[1] == "1.9.0.0" && a[2] == "DefaultAssemblyLoadContext");
        Assert.Contains(bc, a => a[1] == "1.8.10.0" && a[2] == "DependencyLoadContext" && a[3] == Path.Combine(deps, "BouncyCastle.Crypto.dll"));

        string[] polly = Assert.Single(asm, a => a[0] == "Polly.Core");
        Assert.Equal("DependencyLoadContext", polly[2]);

        // System.Text.Json: .NET 10's own (10.0 >= the 9.0 the engine asks for) is shared, never a second copy.
        string[] json = Assert.Single(asm, a => a[0] == "System.Text.Json");
        Assert.Equal("DefaultAssemblyLoadContext", json[2]);
        Assert.StartsWith("10.", json[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Control_without_the_Dependencies_folder_the_engine_binds_the_other_modules_BouncyCastle()
    {
        // The layout before isolation: every assembly next to the root module, so the resolver installs nothing.
        string flat = Path.Combine(Path.GetTempPath(), "openclaw-flat-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            Directory.CreateDirectory(flat);
            foreach (string f in Directory.GetFiles(_module.Folder)) { File.Copy(f, Path.Combine(flat, Path.GetFileName(f))); }
            foreach (string f in Directory.GetFiles(Path.Combine(_module.Folder, "Dependencies"))) { File.Copy(f, Path.Combine(flat, Path.GetFileName(f))); }
            (_, string[][] asm) = RunScenario(Path.Combine(flat, "OpenClaw.psd1"));

            string[] engine = Assert.Single(asm, a => a[0] == "OpenClaw.Node");
            Assert.Equal("DefaultAssemblyLoadContext", engine[2]);
            // The engine was built and tested against 1.8.10 but runs on whatever the session had first.
            string[] bc = Assert.Single(asm, a => a[0] == "BouncyCastle.Crypto");
            Assert.Equal("1.9.0.0", bc[1]);
        }
        finally
        {
            try { Directory.Delete(flat, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Remove_Module_and_Import_Module_again_reuse_the_one_engine()
    {
        const string script = """
            $ErrorActionPreference = 'Stop'
            Import-Module $env:MANIFEST
            Edit-OpenClawExecApproval -Security Allowlist -StateDirectory $env:STATE_DIR -Confirm:$false
            Remove-Module OpenClaw
            Import-Module $env:MANIFEST
            'policy=' + (Get-OpenClawExecApproval -StateDirectory $env:STATE_DIR).Security
            'engines=' + @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'OpenClaw.Node' }).Count
            """;
        string state = Path.Combine(Path.GetTempPath(), "openclaw-reimport-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            ProcessResult r = ChildProcess.RunPowerShell(script, TimeSpan.FromMinutes(2), ("MANIFEST", _module.Manifest), ("STATE_DIR", state));
            Assert.True(r.ExitCode == 0, r.Output + r.Error);
            Assert.Contains("policy=Allowlist", r.Output);
            Assert.Contains("engines=1", r.Output);
        }
        finally
        {
            try { Directory.Delete(state, recursive: true); } catch (IOException) { }
        }
    }
}
