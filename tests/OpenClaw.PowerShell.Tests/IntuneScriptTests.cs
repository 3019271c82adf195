using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// The Intune scripts in module/Intune, checked without running Windows: PowerShell's own parser (in openclaw-pshost,
/// through Get-ScriptUsage.ps1) lists every command call, exit statement and member read, and the checks hold them
/// against the compiled cmdlets (read as metadata): every OpenClaw cmdlet and parameter exists, the parameters used
/// together share a parameter set, state-changing calls cannot prompt, errors are catchable, properties read from
/// cmdlet output exist, exit appears only at the script's top level, and nothing prompts or writes to stderr.
/// </summary>
public sealed class IntuneScriptTests
{
    private static readonly string[] Scripts =
    {
        "Detect-OpenClawNode.ps1", "Remediate-OpenClawNode.ps1", "Install-OpenClawNodeApp.ps1", "Uninstall-OpenClawNodeApp.ps1",
    };

    private static readonly string[] CommonParameters =
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
        "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable",
    };

    private static readonly Lazy<JsonArray> Usage = new(ReadUsage);

    private static string IntuneDirectory => Path.Combine(TestPaths.RepositoryRoot, "module", "Intune");

    private static JsonArray ReadUsage()
    {
        string files = string.Join(Path.PathSeparator, Scripts.Select(s => Path.Combine(IntuneDirectory, s)));
        string analyzer = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "tests", "OpenClaw.PowerShell.Tests", "Get-ScriptUsage.ps1"));
        ProcessResult r = ChildProcess.RunPowerShell(analyzer, TimeSpan.FromMinutes(2), ("OPENCLAW_USAGE_FILES", files));
        Assert.True(r.ExitCode == 0, "Get-ScriptUsage.ps1 failed:\n" + r.Output + r.Error);
        string json = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
        return (JsonArray)JsonNode.Parse(json)!;
    }

    private static IEnumerable<(string Script, JsonObject Data)> Each() =>
        Usage.Value.Select(n => (Path.GetFileName((string)n!["File"]!), (JsonObject)n!));

    private static IEnumerable<(string Script, int Line, CmdletModel? Cmdlet, string Name, string[] Parameters)> OpenClawCalls() =>
        Each().SelectMany(s => ((JsonArray)s.Data["Commands"]!).Select(c =>
        {
            string name = (string?)c!["Name"] ?? string.Empty;
            CmdletModel? cmdlet = ModuleInspection.Module.Cmdlets.FirstOrDefault(m => m.HasCmdletAttribute && string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
            return (s.Script, (int)c["Line"]!, cmdlet, name, ((JsonArray)c["Parameters"]!).Select(p => (string)p!).ToArray());
        })).Where(c => c.name.Contains("-OpenClaw", StringComparison.OrdinalIgnoreCase));

    private static void NoViolations(IEnumerable<string> violations)
    {
        var list = violations.ToList();
        Assert.True(list.Count == 0, string.Join(Environment.NewLine, list));
    }

    [Fact]
    public void Every_Intune_script_is_read_and_parses()
    {
        Assert.Equal(Scripts.OrderBy(s => s), Each().Select(s => s.Script).OrderBy(s => s));
        NoViolations(Each().SelectMany(s => ((JsonArray)s.Data["ParseErrors"]!).Select(e => $"{s.Script}:{e}")));
        Assert.Equal(Scripts.Concat(new[] { "README.md" }).OrderBy(s => s, StringComparer.Ordinal),
            Directory.GetFiles(IntuneDirectory).Select(Path.GetFileName).OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public void Every_script_targets_Windows_PowerShell_5_1_relaunches_64_bit_and_has_no_mandatory_parameter()
    {
        foreach ((string script, JsonObject data) in Each())
        {
            Assert.True((string?)data["RequiredVersion"] == "5.1", script + ": needs '#Requires -Version 5.1' (Intune runs Windows PowerShell 5.1).");
            Assert.True((bool)data["HasCmdletBinding"]!, script + ": needs [CmdletBinding()] param().");
            // A mandatory parameter would make an unattended run fail (or prompt); defaults and the policy key fill them.
            Assert.DoesNotContain(((JsonArray)data["Parameters"]!).Where(p => (bool)p!["Mandatory"]!).Select(p => (string)p!["Name"]!), _ => true);
            string text = File.ReadAllText(Path.Combine(IntuneDirectory, script));
            Assert.Contains("$env:PROCESSOR_ARCHITEW6432 -eq 'AMD64'", text);
            Assert.Contains("\\sysnative\\WindowsPowerShell\\v1.0\\powershell.exe", text);
            Assert.Contains("-File', $PSCommandPath", text);
        }
    }

    [Fact]
    public void Exit_appears_only_at_the_top_level_of_each_script()
    {
        foreach ((string script, JsonObject data) in Each())
        {
            JsonArray exits = (JsonArray)data["Exits"]!;
            Assert.True(exits.Count > 0, script + " never sets its exit code.");
            NoViolations(exits.Where(e => (bool)e!["Nested"]!).Select(e => $"{script}:{(int)e!["Line"]!}: exit inside a function or script block ends the caller's session; exit only at the top level."));
        }
    }

    [Fact]
    public void Every_OpenClaw_cmdlet_and_parameter_exists_and_the_parameters_of_a_call_share_a_parameter_set()
    {
        var violations = new List<string>();
        var calls = OpenClawCalls().ToList();
        Assert.Contains(calls, c => c.Name == "Install-OpenClawNode");
        foreach (var (script, line, cmdlet, name, parameters) in calls)
        {
            string at = $"{script}:{line}: {name}";
            if (cmdlet is null) { violations.Add($"{at}: no such cmdlet in OpenClaw.PowerShell.dll."); continue; }
            var candidateSets = cmdlet.Parameters.SelectMany(p => p.Sets).Select(s => s.Name).Where(s => s != ParameterSetModel.AllSets).Distinct().ToList();
            if (candidateSets.Count == 0) { candidateSets.Add(ParameterSetModel.AllSets); }
            IEnumerable<string> sets = candidateSets;
            foreach (string used in parameters)
            {
                if (used.StartsWith("<unknown splat", StringComparison.Ordinal)) { violations.Add($"{at}: splats a hashtable the check cannot read ({used}); build it with @{{...}} and $x.Key = ... assignments."); continue; }
                if (CommonParameters.Contains(used, StringComparer.OrdinalIgnoreCase)) { continue; }
                if (used is "WhatIf" or "Confirm")
                {
                    if (!cmdlet.SupportsShouldProcess) { violations.Add($"{at}: -{used}, but the cmdlet does not support ShouldProcess."); }
                    continue;
                }
                ParameterModel? p = cmdlet.Parameters.FirstOrDefault(x => string.Equals(x.Name, used, StringComparison.OrdinalIgnoreCase) || x.Aliases.Contains(used, StringComparer.OrdinalIgnoreCase));
                if (p is null) { violations.Add($"{at}: has no parameter -{used} (parameters: {string.Join(", ", cmdlet.Parameters.Select(x => x.Name))})."); continue; }
                if (!p.Sets.Any(s => s.Name == ParameterSetModel.AllSets)) { sets = sets.Intersect(p.Sets.Select(s => s.Name)).ToList(); }
            }
            if (!sets.Any()) { violations.Add($"{at}: parameters {string.Join(", ", parameters)} are in no common parameter set."); }
        }
        NoViolations(violations);
    }

    [Fact]
    public void Calls_cannot_prompt_and_their_errors_are_catchable()
    {
        NoViolations(OpenClawCalls().Where(c => c.Cmdlet is not null).SelectMany(c =>
        {
            var v = new List<string>();
            if (c.Cmdlet!.SupportsShouldProcess && !c.Parameters.Contains("Confirm", StringComparer.OrdinalIgnoreCase))
            {
                v.Add($"{c.Script}:{c.Line}: {c.Name} changes state and may prompt: pass -Confirm:$false.");
            }
            if (!c.Parameters.Contains("ErrorAction", StringComparer.OrdinalIgnoreCase))
            {
                v.Add($"{c.Script}:{c.Line}: {c.Name} needs -ErrorAction Stop so that a failure reaches the catch block and the exit code.");
            }
            return v;
        }));
        string[] forbidden = { "Read-Host", "Get-Credential", "Write-Error", "Write-Host", "Pause" };
        NoViolations(Each().SelectMany(s => ((JsonArray)s.Data["Commands"]!)
            .Where(c => forbidden.Contains((string?)c!["Name"], StringComparer.OrdinalIgnoreCase) || (s.Script.StartsWith("Detect", StringComparison.Ordinal) && (string?)c!["Name"] == "Write-Warning"))
            .Select(c => $"{s.Script}:{(int)c!["Line"]!}: {(string?)c["Name"]} prompts or writes outside stdout; Intune reads one stdout line.")));
    }

    [Fact]
    public void Properties_read_from_cmdlet_output_exist_on_its_output_types()
    {
        var violations = new List<string>();
        foreach ((string script, JsonObject data) in Each())
        {
            foreach (JsonNode? m in (JsonArray)data["Members"]!)
            {
                string command = (string)m!["Command"]!;
                CmdletModel? cmdlet = ModuleInspection.Module.Cmdlets.FirstOrDefault(c => c.HasCmdletAttribute && string.Equals(c.Name, command, StringComparison.OrdinalIgnoreCase));
                if (cmdlet is null) { continue; }
                var types = cmdlet.OutputTypes.Where(t => t.DefinedInModule).Select(t => ModuleInspection.Module.PublicTypes[t.FullName]).ToList();
                if (types.Count == 0) { continue; }
                string member = (string)m["Member"]!;
                if (!types.Any(t => t.Properties.Contains(member, StringComparer.OrdinalIgnoreCase)))
                {
                    violations.Add($"{script}:{(int)m["Line"]!}: ${(string)m["Variable"]!}.{member}: {command} outputs {string.Join(" or ", types.Select(t => t.FullName))}, which has no property '{member}'.");
                }
            }
        }
        NoViolations(violations);
    }

    [Fact]
    public void The_Win32_app_scripts_document_their_return_codes_and_the_README_explains_the_setup()
    {
        foreach (string script in new[] { "Install-OpenClawNodeApp.ps1", "Uninstall-OpenClawNodeApp.ps1" })
        {
            string text = File.ReadAllText(Path.Combine(IntuneDirectory, script));
            Assert.Contains("Return codes", text);
            Assert.Contains("exit 1618", text);
            Assert.Contains("exit $code", text);
            Assert.DoesNotContain("exit 3010", text);
        }
        string readme = File.ReadAllText(Path.Combine(IntuneDirectory, "README.md"));
        foreach (string topic in new[] { "Install command", "Uninstall command", "Detection rule", "Remediations", "HKLM:\\SOFTWARE\\Policies\\OpenClaw", "OpenClaw/Node", "Exit codes" })
        {
            Assert.Contains(topic, readme);
        }
    }
}
