using System;
using System.Collections.Generic;
using System.Linq;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// A platyPS 1.x (Microsoft.PowerShell.PlatyPS, schema 2024-05-01) command help page: YAML front matter, a
/// <c># Verb-Noun</c> title, <c>## SECTION</c>s, <c>### Example</c>s and <c>### -Parameter</c>s with a <c>yaml</c>
/// metadata block each. Headings inside code fences are ignored.
/// </summary>
internal sealed class HelpPage
{
    private HelpPage(string path) => Path = path;

    public string Path { get; }

    public Dictionary<string, string> FrontMatter { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string? Title { get; private set; }

    /// <summary>Section text by upper-case name (SYNOPSIS, SYNTAX, DESCRIPTION, ...), code fences included.</summary>
    public Dictionary<string, string> Sections { get; } = new(StringComparer.Ordinal);

    /// <summary>The <c>###</c> headings under EXAMPLES.</summary>
    public List<string> Examples { get; } = new();

    /// <summary>The documented parameters (without the leading dash) in page order. CommonParameters is not one.</summary>
    public List<HelpParameter> Parameters { get; } = new();

    public static HelpPage Parse(string path, string text)
    {
        var page = new HelpPage(path);
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int i = 0;
        if (lines.Length > 0 && lines[0].Trim() == "---")
        {
            for (i = 1; i < lines.Length && lines[i].Trim() != "---"; i++)
            {
                int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) { page.FrontMatter[lines[i].Substring(0, colon).Trim()] = Unquote(lines[i].Substring(colon + 1).Trim()); }
            }
            i++;
        }

        string? section = null;
        HelpParameter? parameter = null;
        bool inFence = false, inYaml = false;
        var sectionText = new List<string>();
        void EndSection()
        {
            if (section is not null) { page.Sections[section] = string.Join("\n", sectionText).Trim(); }
            sectionText.Clear();
        }

        for (; i < lines.Length; i++)
        {
            string line = lines[i];
            string trimmed = line.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                if (!inFence)
                {
                    inFence = true;
                    inYaml = parameter is not null && trimmed.Equals("```yaml", StringComparison.OrdinalIgnoreCase) && parameter.YamlLines.Count == 0;
                }
                else { inFence = false; inYaml = false; }
                sectionText.Add(line);
                continue;
            }
            if (inFence)
            {
                if (inYaml) { parameter!.YamlLines.Add(line); }
                sectionText.Add(line);
                continue;
            }
            if (line.StartsWith("# ", StringComparison.Ordinal) && page.Title is null) { page.Title = line.Substring(2).Trim(); continue; }
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                EndSection();
                section = line.Substring(3).Trim().ToUpperInvariant();
                parameter = null;
                continue;
            }
            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                string heading = line.Substring(4).Trim();
                parameter = null;
                if (section == "EXAMPLES") { page.Examples.Add(heading); }
                else if (section == "PARAMETERS" && heading.StartsWith('-'))
                {
                    parameter = new HelpParameter(heading.Substring(1).Trim());
                    page.Parameters.Add(parameter);
                }
            }
            sectionText.Add(line);
        }
        EndSection();
        return page;
    }

    internal static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '\'' && value[^1] == '\'' || value[0] == '"' && value[^1] == '"') ? value.Substring(1, value.Length - 2) : value;
}

/// <summary>A <c>### -Name</c> entry and its yaml metadata block (platyPS 1.x keys).</summary>
internal sealed class HelpParameter
{
    public HelpParameter(string name) => Name = name;

    public string Name { get; }

    public List<string> YamlLines { get; } = new();

    /// <summary>A top-level scalar (Type, DefaultValue, SupportsWildcards, ...), or null.</summary>
    public string? Scalar(string key)
    {
        string prefix = key + ":";
        string? line = YamlLines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? null : HelpPage.Unquote(line.Substring(prefix.Length).Trim());
    }

    /// <summary>A top-level list, written inline (<c>[]</c>, <c>[a, b]</c>) or as <c>- item</c> lines; null when the key is absent.</summary>
    public List<string>? List(string key)
    {
        string prefix = key + ":";
        int at = YamlLines.FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (at < 0) { return null; }
        string inline = YamlLines[at].Substring(prefix.Length).Trim();
        if (inline.Length > 0)
        {
            if (!inline.StartsWith('[') || !inline.EndsWith(']')) { return new List<string> { HelpPage.Unquote(inline) }; }
            return inline.Substring(1, inline.Length - 2).Split(',').Select(s => HelpPage.Unquote(s.Trim())).Where(s => s.Length > 0).ToList();
        }
        var items = new List<string>();
        for (int i = at + 1; i < YamlLines.Count && YamlLines[i].StartsWith("- ", StringComparison.Ordinal); i++)
        {
            items.Add(HelpPage.Unquote(YamlLines[i].Substring(2).Trim()));
        }
        return items;
    }

    /// <summary>The ParameterSets entries: <c>- Name: X</c> followed by indented <c>Key: value</c> lines.</summary>
    public List<Dictionary<string, string>> ParameterSets()
    {
        var sets = new List<Dictionary<string, string>>();
        int at = YamlLines.FindIndex(l => l.StartsWith("ParameterSets:", StringComparison.Ordinal));
        if (at < 0) { return sets; }
        for (int i = at + 1; i < YamlLines.Count; i++)
        {
            string line = YamlLines[i];
            if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                sets.Add(new Dictionary<string, string>(StringComparer.Ordinal));
                line = "  " + line.Substring(2);
            }
            if (!line.StartsWith("  ", StringComparison.Ordinal) || sets.Count == 0) { break; }
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) { sets[^1][line.Substring(0, colon).Trim()] = HelpPage.Unquote(line.Substring(colon + 1).Trim()); }
        }
        return sets;
    }
}
