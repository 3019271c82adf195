using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// The Intune scripts and the DSC manifest as packaged: identical to their sources, the packaged host answers the
/// manifest's commands, and the detection and remediation scripts run in a real PowerShell engine (openclaw-pshost)
/// against the packaged module: one stdout line, the documented exit code, nothing on stderr.
/// </summary>
[Collection(PackagedModuleCollection.Name)]
public sealed class IntunePackageTests
{
    private readonly PackagedModule _module;

    public IntunePackageTests(PackagedModule module) => _module = module;

    private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

    [Fact]
    public void The_packaged_scripts_and_manifests_equal_their_sources()
    {
        foreach (string f in Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "module", "Intune")))
        {
            Assert.Equal(File.ReadAllText(f), File.ReadAllText(Path.Combine(_module.Folder, "Intune", Path.GetFileName(f))));
        }
        string source = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "module", "OpenClaw.Node.dsc.resource.json"));
        Assert.Equal(source, File.ReadAllText(Path.Combine(_module.Folder, "OpenClaw.Node.dsc.resource.json")));
        Assert.Equal(source, File.ReadAllText(Path.Combine(_module.Folder, "bin", _module.Rid, "OpenClaw.Node.dsc.resource.json")));
    }

    [Fact]
    public void The_packaged_host_prints_the_schema_the_packaged_manifest_embeds()
    {
        if (_module.Rid.StartsWith("win-", StringComparison.Ordinal) != OperatingSystem.IsWindows()) { return; }
        string exe = Path.Combine(_module.Folder, "bin", _module.Rid, OperatingSystem.IsWindows() ? "openclaw-node.exe" : "openclaw-node");
        ProcessResult r = ChildProcess.Run(exe, new[] { "dsc", "schema" }, TimeSpan.FromMinutes(1));
        Assert.True(r.ExitCode == 0, r.Error);
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(_module.Folder, "bin", _module.Rid, "OpenClaw.Node.dsc.resource.json")))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(r.Output), manifest["schema"]!["embedded"]));
    }

    [Fact]
    public void Detection_of_a_node_that_is_not_installed_exits_1_with_one_line_and_nothing_on_stderr()
    {
        string state = Path.Combine(Path.GetTempPath(), "oc-detect-" + Guid.NewGuid().ToString("N")[..8]);
        string outRoot = Path.GetDirectoryName(Path.GetDirectoryName(_module.Folder)!)!;
        string script = string.Join("\n",
            "$env:PSModulePath = " + Quote(outRoot) + " + [System.IO.Path]::PathSeparator + $env:PSModulePath",
            "& " + Quote(Path.Combine(_module.Folder, "Intune", "Detect-OpenClawNode.ps1")) + " -StateDirectory " + Quote(state) + " -ExpectedSecurity Allowlist -ExpectedAsk OnMiss",
            "'EXIT=' + $LASTEXITCODE");
        ProcessResult r = ChildProcess.RunPowerShell(script, TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0 && r.Error.Length == 0, r.Output + r.Error);
        string[] lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("OpenClaw node not compliant: ", lines[0]);
        Assert.Equal("EXIT=1", lines[1]);
        Assert.False(Directory.Exists(state), "detection created the state directory");
    }

    [Fact]
    public void Remediation_without_a_token_file_exits_1_naming_the_file_and_installs_nothing()
    {
        string dir = Path.Combine(Path.GetTempPath(), "oc-remediate-" + Guid.NewGuid().ToString("N")[..8]);
        string outRoot = Path.GetDirectoryName(Path.GetDirectoryName(_module.Folder)!)!;
        string tokenFile = Path.Combine(dir, "gateway.token");
        string script = string.Join("\n",
            "$env:PSModulePath = " + Quote(outRoot) + " + [System.IO.Path]::PathSeparator + $env:PSModulePath",
            "& " + Quote(Path.Combine(_module.Folder, "Intune", "Remediate-OpenClawNode.ps1")) + " -GatewayHost gw.example.com -StateDirectory " + Quote(Path.Combine(dir, "state")) + " -TokenFile " + Quote(tokenFile),
            "'EXIT=' + $LASTEXITCODE");
        ProcessResult r = ChildProcess.RunPowerShell(script, TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0 && r.Error.Length == 0, r.Output + r.Error);
        string[] lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("OpenClaw node remediation failed: ", lines[0]);
        Assert.Contains(tokenFile, lines[0]);
        Assert.Equal("EXIT=1", lines.Last());
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void The_Win32_app_install_without_a_gateway_host_exits_1_saying_how_to_give_one()
    {
        string dir = Path.Combine(Path.GetTempPath(), "oc-install-" + Guid.NewGuid().ToString("N")[..8]);
        string script = string.Join("\n",
            "& " + Quote(Path.Combine(_module.Folder, "Intune", "Install-OpenClawNodeApp.ps1")) + " -StateDirectory " + Quote(Path.Combine(dir, "state")) + " -TokenFile " + Quote(Path.Combine(dir, "gateway.token")),
            "'EXIT=' + $LASTEXITCODE");
        ProcessResult r = ChildProcess.RunPowerShell(script, TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0 && r.Error.Length == 0, r.Output + r.Error);
        string[] lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("OpenClaw node install failed: No gateway host", lines[0]);
        Assert.Contains("HKLM:\\SOFTWARE\\Policies\\OpenClaw", lines[0]);
        Assert.Equal("EXIT=1", lines[1]);
    }
}
