using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>The packaged MAML help (en-US/OpenClaw.PowerShell.dll-Help.xml, built from docs/ by scripts/maml.cs): one
/// entry per cmdlet with its synopsis, examples and every parameter, and what Get-Help shows in a real PowerShell.</summary>
[Collection(PackagedModuleCollection.Name)]
public sealed class MamlHelpTests
{
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";

    private readonly PackagedModule _module;

    public MamlHelpTests(PackagedModule module) => _module = module;

    private string HelpFile => Path.Combine(_module.Folder, "en-US", "OpenClaw.PowerShell.dll-Help.xml");

    private static Dictionary<string, string[]> CmdletsAndParameters()
    {
        using var mlc = MetadataContext.Open();
        var result = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (Type t in mlc.Module.GetTypes())
        {
            CustomAttributeData? c = t.GetCustomAttributesData().FirstOrDefault(x => x.AttributeType.FullName == "System.Management.Automation.CmdletAttribute");
            if (c is null) { continue; }
            string name = $"{c.ConstructorArguments[0].Value}-{c.ConstructorArguments[1].Value}";
            string[] ps = t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetCustomAttributesData().Any(x => x.AttributeType.FullName == "System.Management.Automation.ParameterAttribute"))
                .Select(p => p.Name).ToArray();
            bool shouldProcess = c.NamedArguments.Any(a => a.MemberName == "SupportsShouldProcess" && (bool)a.TypedValue.Value!);
            result[name] = shouldProcess ? ps.Concat(new[] { "WhatIf", "Confirm" }).ToArray() : ps;
        }
        return result;
    }

    [Fact]
    public void Every_cmdlet_has_MAML_help_with_synopsis_description_two_examples_and_every_parameter()
    {
        XDocument doc = XDocument.Load(HelpFile);
        Dictionary<string, XElement> help = doc.Root!.Elements(Command + "command")
            .ToDictionary(c => c.Element(Command + "details")!.Element(Command + "name")!.Value, StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        foreach ((string cmdlet, string[] parameters) in CmdletsAndParameters())
        {
            if (!help.TryGetValue(cmdlet, out XElement? c)) { problems.Add($"{cmdlet}: no help entry"); continue; }
            string synopsis = string.Concat(c.Element(Command + "details")!.Element(Maml + "description")!.Elements(Maml + "para").Select(p => p.Value));
            if (synopsis.Trim().Length == 0) { problems.Add($"{cmdlet}: empty synopsis"); }
            if (!c.Element(Maml + "description")!.Elements(Maml + "para").Any()) { problems.Add($"{cmdlet}: no description"); }
            if (c.Element(Command + "examples")!.Elements(Command + "example").Count() < 2) { problems.Add($"{cmdlet}: fewer than two examples"); }
            HashSet<string> documented = c.Element(Command + "parameters")!.Elements(Command + "parameter")
                .Select(p => p.Element(Maml + "name")!.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (string p in parameters.Where(p => !documented.Contains(p))) { problems.Add($"{cmdlet}: -{p} has no help"); }
            if (!c.Element(Command + "syntax")!.Elements(Command + "syntaxItem").Any()) { problems.Add($"{cmdlet}: no syntax"); }
        }
        foreach (string extra in help.Keys.Except(CmdletsAndParameters().Keys, StringComparer.OrdinalIgnoreCase)) { problems.Add($"{extra}: help for no cmdlet"); }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Get_Help_in_PowerShell_shows_the_docs_synopsis_and_examples_of_every_cmdlet()
    {
        const string script = """
            $ErrorActionPreference = 'Stop'
            Import-Module $env:MANIFEST
            foreach ($c in Get-Command -Module OpenClaw | Sort-Object Name) {
                $h = Get-Help $c.Name -Full
                'help={0}|{1}|{2}|{3}' -f $c.Name, @($h.examples.example).Count, @($h.parameters.parameter).Count, ($h.Synopsis -replace '\s+', ' ').Trim()
            }
            """;
        ProcessResult r = ChildProcess.RunPowerShell(script, TimeSpan.FromMinutes(2), ("MANIFEST", _module.Manifest));
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        string[][] rows = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("help=", StringComparison.Ordinal)).Select(l => l[5..].Split('|', 4)).ToArray();
        Dictionary<string, string[]> cmdlets = CmdletsAndParameters();
        Assert.Equal(cmdlets.Keys.OrderBy(k => k, StringComparer.OrdinalIgnoreCase), rows.Select(x => x[0]).OrderBy(k => k, StringComparer.OrdinalIgnoreCase));
        foreach (string[] row in rows)
        {
            string page = File.ReadAllText(Path.Combine(TestPaths.DocsDirectory, row[0] + ".md")).Replace("\r\n", "\n");
            string synopsis = page.Split("## SYNOPSIS\n", 2)[1].Split("\n## ", 2)[0].Trim().Replace('\n', ' ');
            Assert.Equal(synopsis, row[3]);
            Assert.True(int.Parse(row[1]) >= 2, row[0] + ": fewer than two examples in Get-Help");
            Assert.True(int.Parse(row[2]) >= cmdlets[row[0]].Length, row[0] + ": Get-Help lists fewer parameters than the cmdlet has");
        }
    }
}
