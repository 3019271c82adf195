using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// The module as shipped: the compiled cmdlets (read as metadata) against the style guide, OpenClaw.psd1, docs/ and
/// module/OpenClaw.Format.ps1xml. Each failure message names the cmdlet or file and what to change.
/// </summary>
public sealed class ModuleTests
{
    private static ModuleInspection Module => ModuleInspection.Module;

    private static IReadOnlyList<CmdletModel> Cmdlets => Module.Cmdlets;

    private static Dictionary<string, object?> Manifest() => PowerShellDataFile.Parse(File.ReadAllText(TestPaths.ManifestPath));

    private static void NoViolations(IEnumerable<string> violations)
    {
        var list = violations.ToList();
        Assert.True(list.Count == 0, string.Join(Environment.NewLine, list));
    }

    [Fact]
    public void The_module_defines_at_least_one_cmdlet()
    {
        Assert.Contains(Cmdlets, c => c.Name == "Start-OpenClawNode");
    }

    [Fact]
    public void Every_cmdlet_class_is_public_and_sealed()
    {
        NoViolations(Cmdlets.SelectMany(Rules.ClassShape));
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb_of_Windows_PowerShell_5_1_and_an_OpenClaw_noun()
    {
        NoViolations(Cmdlets.Where(c => c.HasCmdletAttribute).SelectMany(c => Rules.Naming(c, ApprovedVerbs.WindowsPowerShell51)));
    }

    [Fact]
    public void The_embedded_verb_list_is_the_one_of_the_PowerShell_5_1_reference_assembly()
    {
        // PowerShellStandard.Library is the 5.1 API surface; its Verbs* constants are Get-Verb on 5.1.
        Assert.Equal(98, ApprovedVerbs.WindowsPowerShell51.Count);
        Assert.Equal(Module.ReferenceVerbs.OrderBy(v => v, StringComparer.Ordinal), ApprovedVerbs.WindowsPowerShell51.OrderBy(v => v, StringComparer.Ordinal));
        Assert.DoesNotContain("Build", ApprovedVerbs.WindowsPowerShell51);
        Assert.DoesNotContain("Deploy", ApprovedVerbs.WindowsPowerShell51);
    }

    [Fact]
    public void Every_cmdlet_declares_its_output_type()
    {
        NoViolations(Cmdlets.Where(c => c.HasCmdletAttribute).SelectMany(Rules.OutputType));
    }

    [Fact]
    public void No_token_or_password_parameter_takes_plain_text()
    {
        NoViolations(Cmdlets.SelectMany(Rules.Secrets));
    }

    [Fact]
    public void CmdletsToExport_equals_the_cmdlets_of_the_assembly()
    {
        NoViolations(Rules.ExportsMatchCmdlets(Cmdlets, Manifest()));
    }

    [Fact]
    public void The_manifest_exports_nothing_by_wildcard()
    {
        NoViolations(Rules.ManifestExports(Manifest()));
    }

    [Fact]
    public void The_manifest_supports_Desktop_and_Core()
    {
        Dictionary<string, object?> manifest = Manifest();
        NoViolations(Rules.ManifestEditions(manifest));
        Assert.Equal("5.1", manifest.GetValueOrDefault("PowerShellVersion"));
    }

    [Fact]
    public void The_manifest_loads_the_compiled_assembly_and_existing_format_files()
    {
        Dictionary<string, object?> manifest = Manifest();
        Assert.Equal(Module.AssemblyFileName, manifest.GetValueOrDefault("RootModule"));
        Assert.Equal("{{ModuleVersion}}", manifest.GetValueOrDefault("ModuleVersion"));
        Assert.True(Guid.TryParse(manifest.GetValueOrDefault("GUID") as string, out _), "GUID must be a GUID.");
        IReadOnlyList<string> formats = PowerShellDataFile.Strings(manifest, "FormatsToProcess") ?? Array.Empty<string>();
        Assert.Contains("OpenClaw.Format.ps1xml", formats);
        foreach (string file in formats)
        {
            Assert.True(File.Exists(Path.Combine(TestPaths.RepositoryRoot, "module", file)), $"FormatsToProcess lists {file}, which is not in module/.");
        }
    }

    [Fact]
    public void Every_cmdlet_has_a_help_page_that_documents_exactly_its_parameters()
    {
        var violations = new List<string>();
        foreach (CmdletModel cmdlet in Cmdlets.Where(c => c.HasCmdletAttribute))
        {
            string path = Path.Combine(TestPaths.DocsDirectory, cmdlet.Name + ".md");
            HelpPage? page = File.Exists(path) ? HelpPage.Parse(path, File.ReadAllText(path)) : null;
            violations.AddRange(Rules.Help(cmdlet, page));
        }
        NoViolations(violations);
    }

    [Fact]
    public void Every_help_page_belongs_to_a_cmdlet()
    {
        var names = Cmdlets.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.EnumerateFiles(TestPaths.DocsDirectory, "*.md")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => !n!.StartsWith("about_", StringComparison.OrdinalIgnoreCase) && !names.Contains(n))
            .Select(n => $"docs/{n}.md documents no cmdlet of the module (renamed or removed?).");
        NoViolations(orphans);
    }

    [Fact]
    public void Every_output_type_has_a_default_view_over_existing_properties()
    {
        FormatFile format = FormatFile.Parse(File.ReadAllText(TestPaths.FormatPath));
        NoViolations(Rules.Formats(Cmdlets, Module.PublicTypes, format));
    }
}
