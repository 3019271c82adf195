using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>Argument completers: attached to the parameters that take node names/ids, request ids and agent ids
/// (metadata), and working through PowerShell's own tab completion (TabExpansion2 in openclaw-pshost).</summary>
[Collection(PackagedModuleCollection.Name)]
public sealed class CompletionTests
{
    private const string Ns = "OpenClaw.PowerShell.Completion.";

    private readonly PackagedModule _module;

    public CompletionTests(PackagedModule module) => _module = module;

    /// <summary>The completer a parameter must carry, by the kind of value it takes: generic rules over every cmdlet, so
    /// cmdlets added later are held to them too.</summary>
    private static string? ExpectedCompleter(string noun, string parameter) => (noun, parameter) switch
    {
        (_, "AgentId") => Ns + "OpenClawAgentIdCompleter",
        (_, "Node") => Ns + "OpenClawNodeCompleter",
        ("OpenClawNode", "Id" or "Name") => Ns + "OpenClawNodeCompleter",
        ("OpenClawNodeRequest", "Id") => Ns + "OpenClawNodeRequestCompleter",
        _ => null,
    };

    [Fact]
    public void Parameters_that_take_node_request_or_agent_ids_carry_the_matching_completer()
    {
        var checkedCount = 0;
        var problems = new List<string>();
        foreach ((string cmdlet, string noun, PropertyInfo p) in CmdletParameters())
        {
            string? expected = ExpectedCompleter(noun, p.Name);
            CustomAttributeData? attr = p.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == "System.Management.Automation.ArgumentCompleterAttribute");
            string? actual = attr?.ConstructorArguments.Single().Value is Type t ? t.FullName : null;
            if (expected is null) { continue; }
            checkedCount++;
            if (actual != expected) { problems.Add($"{cmdlet} -{p.Name}: expected [ArgumentCompleter(typeof({expected}))], found {actual ?? "none"}"); }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(checkedCount >= 10, $"only {checkedCount} parameters matched the completer rules");
    }

    private static IEnumerable<(string Cmdlet, string Noun, PropertyInfo Parameter)> CmdletParameters()
    {
        using var mlc = MetadataContext.Open();
        Assembly a = mlc.Module;
        foreach (Type t in a.GetTypes())
        {
            CustomAttributeData? cmdlet = t.GetCustomAttributesData().FirstOrDefault(x => x.AttributeType.FullName == "System.Management.Automation.CmdletAttribute");
            if (cmdlet is null) { continue; }
            string verb = (string)cmdlet.ConstructorArguments[0].Value!;
            string noun = (string)cmdlet.ConstructorArguments[1].Value!;
            foreach (PropertyInfo p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (p.GetCustomAttributesData().Any(x => x.AttributeType.FullName == "System.Management.Automation.ParameterAttribute"))
                {
                    yield return ($"{verb}-{noun}", noun, p);
                }
            }
        }
    }

    [Fact]
    public void Tab_completion_offers_agent_ids_from_the_local_file_and_nothing_for_gateway_values_when_not_connected()
    {
        string state = Path.Combine(Path.GetTempPath(), "openclaw-comp-" + Guid.NewGuid().ToString("N")[..12]);
        const string script = """
            $ErrorActionPreference = 'Stop'
            Import-Module $env:MANIFEST
            foreach ($agent in 'main', 'build-bot', 'backup') {
                Edit-OpenClawExecApproval -AgentId $agent -Security Allowlist -AddPattern '/usr/bin/uname' -StateDirectory $env:STATE_DIR -Confirm:$false
            }
            function Complete([string] $line) {
                $sw = [System.Diagnostics.Stopwatch]::StartNew()
                $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                '{0} => [{1}] in {2} ms' -f $line, (($r.CompletionMatches | ForEach-Object CompletionText) -join ','), $sw.ElapsedMilliseconds
            }
            Complete "Get-OpenClawExecApproval -StateDirectory '$env:STATE_DIR' -AgentId b"
            Complete "Edit-OpenClawExecApproval -StateDirectory '$env:STATE_DIR' -AgentId "
            Complete "Get-OpenClawNode -Name "
            Complete "Approve-OpenClawNodeRequest -Id "
            Complete "Invoke-OpenClawNodeCommand -Node "
            """;
        try
        {
            ProcessResult r = ChildProcess.RunPowerShell(script, TimeSpan.FromMinutes(2), ("MANIFEST", _module.Manifest), ("STATE_DIR", state));
            Assert.True(r.ExitCode == 0, r.Output + r.Error);
            string[] lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains(lines, l => l.Contains("-AgentId b => [backup,build-bot]", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("-AgentId  => [backup,build-bot,main]", StringComparison.Ordinal));
            // Not connected: the gateway completers answer nothing, at once (PowerShell's own fallback offers no
            // files for these parameters because the completer answered).
            foreach (string cmd in new[] { "Get-OpenClawNode -Name", "Approve-OpenClawNodeRequest -Id", "Invoke-OpenClawNodeCommand -Node" })
            {
                string line = Assert.Single(lines, l => l.StartsWith(cmd + "  =>", StringComparison.Ordinal));
                Assert.Contains("=> []", line);
                int ms = int.Parse(line[(line.LastIndexOf(" in ", StringComparison.Ordinal) + 4)..^3]);
                Assert.InRange(ms, 0, 2000);
            }
        }
        finally
        {
            try { Directory.Delete(state, recursive: true); } catch (IOException) { }
        }
    }
}
