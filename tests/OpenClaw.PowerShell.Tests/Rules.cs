using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// The checks, as functions from plain data to a list of violations (empty means the rule holds). The tests in
/// ModuleTests apply them to the real module; RuleTests apply them to broken inputs to show that each one bites.
/// </summary>
internal static partial class Rules
{
    /// <summary>The manifest keys whose absence or '*' would export everything.</summary>
    public static readonly string[] ExportKeys = { "CmdletsToExport", "FunctionsToExport", "AliasesToExport", "VariablesToExport" };

    /// <summary>Secret-bearing parameter names: the name or an alias ends with one of these (case-insensitive).</summary>
    private static readonly string[] SecretSuffixes = { "Token", "Password", "ApiKey" };

    private static readonly HashSet<string> SecretTypes = new(StringComparer.Ordinal)
    {
        "System.Security.SecureString",
        "System.Management.Automation.PSCredential",
    };

    /// <summary>Common parameters a platyPS page may list as <c>### -Name</c> although no cmdlet declares them (7.4+ adds ProgressAction).</summary>
    private static readonly HashSet<string> CommonParameters = new(StringComparer.OrdinalIgnoreCase) { "ProgressAction" };

    public static IEnumerable<string> ClassShape(CmdletModel c)
    {
        if (!c.HasCmdletAttribute) { yield return $"{c.ClassName} derives from Cmdlet but has no [Cmdlet] attribute."; yield break; }
        if (!c.IsPublic) { yield return $"{c.ClassName} must be public."; }
        if (!c.IsSealed || c.IsAbstract) { yield return $"{c.ClassName} must be sealed."; }
    }

    public static IEnumerable<string> Naming(CmdletModel c, IReadOnlySet<string> approvedVerbs)
    {
        if (!approvedVerbs.Contains(c.Verb))
        {
            string? otherCase = approvedVerbs.FirstOrDefault(v => string.Equals(v, c.Verb, StringComparison.OrdinalIgnoreCase));
            yield return otherCase is not null
                ? $"{c.Name}: write the verb as '{otherCase}'."
                : $"{c.Name}: '{c.Verb}' is not an approved verb on Windows PowerShell 5.1 (Get-Verb).";
        }
        if (!c.Noun.StartsWith("OpenClaw", StringComparison.Ordinal) || c.Noun.Length == "OpenClaw".Length)
        {
            yield return $"{c.Name}: the noun must start with 'OpenClaw' and name something (OpenClawNode, OpenClawNodeRequest).";
        }
        if (!PascalCaseNoun().IsMatch(c.Noun)) { yield return $"{c.Name}: the noun must be PascalCase letters and digits."; }
    }

    public static IEnumerable<string> OutputType(CmdletModel c)
    {
        if (c.OutputTypes.Count == 0) { yield return $"{c.Name} has no [OutputType] attribute."; }
    }

    public static IEnumerable<string> Secrets(CmdletModel c)
    {
        foreach (ParameterModel p in c.Parameters)
        {
            string? secretName = new[] { p.Name }.Concat(p.Aliases)
                .FirstOrDefault(n => SecretSuffixes.Any(s => n.EndsWith(s, StringComparison.OrdinalIgnoreCase)));
            if (secretName is not null && !SecretTypes.Contains(p.TypeFullName))
            {
                yield return $"{c.Name} -{p.Name}{(secretName == p.Name ? "" : $" (alias {secretName})")} is {p.TypeFullName}; a token or password must be a SecureString or PSCredential.";
            }
        }
    }

    public static IEnumerable<string> ManifestExports(IReadOnlyDictionary<string, object?> manifest)
    {
        foreach (string key in ExportKeys)
        {
            IReadOnlyList<string>? values;
            string? error = null;
            try { values = PowerShellDataFile.Strings(manifest, key); }
            catch (FormatException ex) { values = null; error = ex.Message; }
            if (error is not null) { yield return error; continue; }
            if (values is null) { yield return $"{key} is missing: without it PowerShell exports everything. Use @() for none."; continue; }
            foreach (string v in values.Where(v => v.Contains('*', StringComparison.Ordinal) || v.Contains('?', StringComparison.Ordinal)))
            {
                yield return $"{key} contains the wildcard '{v}'; list names explicitly.";
            }
        }
    }

    public static IEnumerable<string> ManifestEditions(IReadOnlyDictionary<string, object?> manifest)
    {
        IReadOnlyList<string> editions = PowerShellDataFile.Strings(manifest, "CompatiblePSEditions") ?? Array.Empty<string>();
        foreach (string edition in new[] { "Desktop", "Core" }.Where(e => !editions.Contains(e, StringComparer.Ordinal)))
        {
            yield return $"CompatiblePSEditions must list '{edition}' (found: {string.Join(", ", editions)}).";
        }
    }

    public static IEnumerable<string> ExportsMatchCmdlets(IEnumerable<CmdletModel> cmdlets, IReadOnlyDictionary<string, object?> manifest)
    {
        var exported = (PowerShellDataFile.Strings(manifest, "CmdletsToExport") ?? Array.Empty<string>()).ToList();
        var declared = cmdlets.Where(c => c.HasCmdletAttribute).Select(c => c.Name).ToList();
        foreach (string name in declared.Except(exported, StringComparer.Ordinal)) { yield return $"{name} is a cmdlet but not in CmdletsToExport."; }
        foreach (string name in exported.Except(declared, StringComparer.Ordinal)) { yield return $"CmdletsToExport lists '{name}', which is not a cmdlet of the module."; }
        foreach (string name in exported.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            yield return $"CmdletsToExport lists '{name}' more than once.";
        }
    }

    /// <summary>The help page of a cmdlet against the cmdlet itself. <paramref name="page"/> is null when the file does not exist.</summary>
    public static IEnumerable<string> Help(CmdletModel c, HelpPage? page)
    {
        if (page is null) { yield return $"{c.Name} has no help page docs/{c.Name}.md."; yield break; }
        string where = $"docs/{c.Name}.md";
        if (page.FrontMatter.GetValueOrDefault("PlatyPS schema version") != "2024-05-01")
        {
            yield return $"{where}: the front matter must say 'PlatyPS schema version: 2024-05-01' (platyPS 1.x).";
        }
        if (page.FrontMatter.GetValueOrDefault("external help file") != "OpenClaw.PowerShell.dll-Help.xml")
        {
            yield return $"{where}: 'external help file' must be OpenClaw.PowerShell.dll-Help.xml.";
        }
        if (page.FrontMatter.GetValueOrDefault("Module Name") != "OpenClaw") { yield return $"{where}: 'Module Name' must be OpenClaw."; }
        if (page.FrontMatter.GetValueOrDefault("title") != c.Name) { yield return $"{where}: 'title' must be {c.Name}."; }
        if (page.Title != c.Name) { yield return $"{where}: the first heading must be '# {c.Name}'."; }
        foreach (string section in new[] { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS" })
        {
            if (string.IsNullOrWhiteSpace(page.Sections.GetValueOrDefault(section))) { yield return $"{where}: the {section} section is missing or empty."; }
        }
        if (page.Examples.Count == 0) { yield return $"{where}: add at least one example."; }

        string syntax = page.Sections.GetValueOrDefault("SYNTAX") ?? string.Empty;
        var documented = page.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (ParameterModel p in c.Parameters)
        {
            if (!documented.TryGetValue(p.Name, out HelpParameter? doc)) { yield return $"{where}: parameter -{p.Name} is not documented (### -{p.Name})."; continue; }
            if (!Regex.IsMatch(syntax, @"-" + Regex.Escape(p.Name) + @"\b")) { yield return $"{where}: the SYNTAX section does not mention -{p.Name}."; }
            foreach (string problem in HelpParameterMetadata(p, doc)) { yield return $"{where}: -{p.Name}: {problem}"; }
        }
        foreach (HelpParameter doc in page.Parameters)
        {
            bool exists = c.Parameters.Any(p => string.Equals(p.Name, doc.Name, StringComparison.OrdinalIgnoreCase))
                || (c.SupportsShouldProcess && (doc.Name.Equals("WhatIf", StringComparison.OrdinalIgnoreCase) || doc.Name.Equals("Confirm", StringComparison.OrdinalIgnoreCase)))
                || CommonParameters.Contains(doc.Name);
            if (!exists) { yield return $"{where}: documents -{doc.Name}, which {c.Name} does not have."; }
        }
        foreach (string name in page.Parameters.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            yield return $"{where}: -{name} is documented more than once.";
        }
    }

    private static IEnumerable<string> HelpParameterMetadata(ParameterModel p, HelpParameter doc)
    {
        if (doc.YamlLines.Count == 0) { yield return "no ```yaml metadata block."; yield break; }
        string? type = doc.Scalar("Type");
        if (type != p.TypeFullName && type != p.TypeName) { yield return $"Type is '{type}', the parameter is {p.TypeFullName}."; }

        List<string>? aliases = doc.List("Aliases");
        if (aliases is null) { yield return "Aliases is missing (use 'Aliases: []' for none)."; }
        else if (!aliases.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(p.Aliases))
        {
            yield return $"Aliases are [{string.Join(", ", aliases)}], the parameter has [{string.Join(", ", p.Aliases)}].";
        }

        if (!bool.TryParse(doc.Scalar("SupportsWildcards"), out bool wildcards) || wildcards != p.SupportsWildcards)
        {
            yield return $"SupportsWildcards should be {p.SupportsWildcards.ToString().ToLowerInvariant()}.";
        }

        var docSets = doc.ParameterSets();
        if (docSets.Count == 0) { yield return "ParameterSets is missing."; yield break; }
        foreach (ParameterSetModel set in p.Sets)
        {
            string docName = set.Name == ParameterSetModel.AllSets ? "(All)" : set.Name;
            Dictionary<string, string>? d = docSets.FirstOrDefault(s => s.GetValueOrDefault("Name") == docName);
            if (d is null) { yield return $"ParameterSets has no entry '{docName}'."; continue; }
            string position = set.Position?.ToString(CultureInfo.InvariantCulture) ?? "Named";
            if (!string.Equals(d.GetValueOrDefault("Position"), position, StringComparison.OrdinalIgnoreCase))
            {
                yield return $"set {docName}: Position is '{d.GetValueOrDefault("Position")}', the parameter has {position}.";
            }
            foreach ((string key, bool actual) in new[]
            {
                ("IsRequired", set.Mandatory),
                ("ValueFromPipeline", set.ValueFromPipeline),
                ("ValueFromPipelineByPropertyName", set.ValueFromPipelineByPropertyName),
            })
            {
                if (!bool.TryParse(d.GetValueOrDefault(key), out bool value) || value != actual)
                {
                    yield return $"set {docName}: {key} should be {actual.ToString().ToLowerInvariant()}.";
                }
            }
        }
        foreach (string name in docSets.Select(s => s.GetValueOrDefault("Name") ?? "?")
            .Where(n => !p.Sets.Any(s => (s.Name == ParameterSetModel.AllSets ? "(All)" : s.Name) == n)))
        {
            yield return $"ParameterSets lists '{name}', which the parameter is not in.";
        }
    }

    /// <summary>Each module type a cmdlet outputs has a view keyed on its full name, and every view is sound.</summary>
    public static IEnumerable<string> Formats(IEnumerable<CmdletModel> cmdlets, IReadOnlyDictionary<string, TypeModel> moduleTypes, FormatFile format)
    {
        var viewed = format.Views.SelectMany(v => v.TypeNames).ToHashSet(StringComparer.Ordinal);
        foreach (string typeName in cmdlets.SelectMany(c => c.OutputTypes).Where(o => o.DefinedInModule).Select(o => o.FullName).Distinct(StringComparer.Ordinal))
        {
            if (!viewed.Contains(typeName)) { yield return $"{typeName} is an [OutputType] of the module but has no view keyed on its full name."; }
        }
        foreach (FormatView view in format.Views)
        {
            string name = view.Name.Length == 0 ? "(unnamed view)" : view.Name;
            if (view.TypeNames.Count == 0) { yield return $"View {name} selects no type (ViewSelectedBy/TypeName)."; }
            if (view.Control is null) { yield return $"View {name} has no control (TableControl, ListControl, ...)."; }
            if (view.UsesScriptBlock) { yield return $"View {name} uses a ScriptBlock; use PropertyName only."; }
            if (view.Control == "TableControl" && view.TableHeaderCount > 0)
            {
                foreach (int items in view.TableRowItemCounts.Where(n => n != view.TableHeaderCount))
                {
                    yield return $"View {name} has {view.TableHeaderCount} column headers but a row with {items} items; PowerShell rejects the view.";
                }
            }
            foreach (string typeName in view.TypeNames)
            {
                if (!moduleTypes.TryGetValue(typeName, out TypeModel? type))
                {
                    if (typeName.StartsWith("OpenClaw.", StringComparison.Ordinal)) { yield return $"View {name} selects {typeName}, which the module does not define."; }
                    continue;
                }
                foreach (string property in view.PropertyNames.Where(pn => !type.Properties.Contains(pn, StringComparer.OrdinalIgnoreCase)).Distinct())
                {
                    yield return $"View {name}: {typeName} has no property '{property}'.";
                }
            }
        }
    }

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex PascalCaseNoun();
}
