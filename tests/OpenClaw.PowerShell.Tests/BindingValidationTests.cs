using System;
using System.IO;
using System.Linq;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// Bad gateway hosts, ports, addresses, TLS fingerprints and agent ids are refused by the real PowerShell 7.6 parameter binder
/// (openclaw-pshost) with ParameterArgumentValidationError and the engine's message, before any cmdlet runs: no
/// connection, no state directory, no file written.
/// </summary>
[Collection(PackagedModuleCollection.Name)]
public sealed class BindingValidationTests
{
    private const string Script = """
        Import-Module $env:MANIFEST
        $cases = [ordered]@{
            'url-host'      = { Start-OpenClawNode -HostName 'http://gw.example.com' -StateDirectory $env:STATE_DIR }
            'space-host'    = { Start-OpenClawNode -HostName 'gw example' -StateDirectory $env:STATE_DIR }
            'port-range'    = { Start-OpenClawNode -HostName 'gw.example.com' -Port 70000 -StateDirectory $env:STATE_DIR }
            'port-zero'     = { Start-OpenClawNode -HostName 'gw.example.com' -Port 0 -StateDirectory $env:STATE_DIR }
            'bad-pin'       = { Start-OpenClawNode -HostName 'gw.example.com' -Tls -TlsFingerprint 'sha256:abc' -StateDirectory $env:STATE_DIR }
            'install-host'  = { Install-OpenClawNode -HostName 'gw/path' -WhatIf }
            'install-pin'   = { Install-OpenClawNode -HostName 'gw.example.com' -Tls -TlsFingerprint ('zz' * 32) -WhatIf }
            'gateway-url'   = { Get-OpenClawNode -Gateway 'ftp://gw.example.com' }
            'gateway-port'  = { Connect-OpenClawGateway -Gateway 'gw.example.com:99999' }
            'gateway-host'  = { Connect-OpenClawGateway -Gateway 'ws://bad_host!:18789' }
            'gateway-pin'   = { Connect-OpenClawGateway -Gateway 'gw.example.com' -TlsFingerprint '12:34' }
            'agent-edit'    = { Edit-OpenClawExecApproval -AgentId 'Main' -Security Deny -StateDirectory $env:STATE_DIR -Confirm:$false }
            'agent-get'     = { Get-OpenClawExecApproval -AgentId 'main', 'my agent!' -StateDirectory $env:STATE_DIR }
        }
        foreach ($name in $cases.Keys) {
            try { & $cases[$name]; "$name|ran" }
            catch { "$name|" + $_.FullyQualifiedErrorId + '|' + $_.Exception.Message.Replace("`n", ' ') }
        }
        'written|' + (Test-Path $env:STATE_DIR)
        """;

    private readonly PackagedModule _module;

    public BindingValidationTests(PackagedModule module) => _module = module;

    [Fact]
    public void Bad_hosts_ports_addresses_fingerprints_and_agent_ids_fail_at_parameter_binding_with_nothing_written()
    {
        string state = Path.Combine(Path.GetTempPath(), "openclaw-bind-" + Guid.NewGuid().ToString("N")[..12]);
        ProcessResult r = ChildProcess.RunPowerShell(Script, TimeSpan.FromMinutes(2), ("MANIFEST", _module.Manifest), ("STATE_DIR", state));
        string[] lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var results = lines.Select(l => l.Split('|', 3)).Where(p => p.Length >= 2).ToDictionary(p => p[0], p => p);

        Assert.True(results.ContainsKey("written"), $"The script did not finish (exit {r.ExitCode}):\n{r.Output}\n{r.Error}");
        Assert.Equal("False", results["written"][1]);
        Assert.False(Directory.Exists(state));

        (string Case, string Command, string Message)[] expected =
        {
            ("url-host", "StartOpenClawNodeCommand", "is a URL"),
            ("space-host", "StartOpenClawNodeCommand", "is not a valid host name"),
            ("port-range", "StartOpenClawNodeCommand", "70000"),
            ("port-zero", "StartOpenClawNodeCommand", "0"),
            ("bad-pin", "StartOpenClawNodeCommand", "TLS fingerprint"),
            ("install-host", "InstallOpenClawNodeCommand", "is not a valid host name"),
            ("install-pin", "InstallOpenClawNodeCommand", "TLS fingerprint"),
            ("gateway-url", "GetOpenClawNodeCommand", "not a gateway address"),
            ("gateway-port", "ConnectOpenClawGatewayCommand", "not a gateway address"),
            ("gateway-host", "ConnectOpenClawGatewayCommand", "bad_host!"),
            ("gateway-pin", "ConnectOpenClawGatewayCommand", "TLS fingerprint"),
            ("agent-edit", "EditOpenClawExecApprovalCommand", "'main'"),
            ("agent-get", "GetOpenClawExecApprovalCommand", "'my-agent'"),
        };
        foreach ((string name, string command, string message) in expected)
        {
            Assert.True(results.TryGetValue(name, out string[]? parts), $"case {name} printed nothing:\n{r.Output}\n{r.Error}");
            Assert.True(parts!.Length == 3, $"case {name} was not refused: {string.Join("|", parts)}");
            Assert.Equal("ParameterArgumentValidationError,OpenClaw.PowerShell.Commands." + command, parts[1]);
            Assert.Contains(message, parts[2], StringComparison.Ordinal);
        }
    }
}
