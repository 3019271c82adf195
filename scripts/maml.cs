// Builds the MAML help (OpenClaw.PowerShell.dll-Help.xml, what Get-Help reads for a binary module) from the platyPS
// markdown pages in docs/, with dotnet alone, for machines without PowerShell and platyPS (scripts/package.sh; build.ps1
// uses it too when platyPS is not installed).
//
// Usage: dotnet run scripts/maml.cs -- <docs folder> <output .xml>
// Reads every docs/*.md whose front matter says "document type: cmdlet"; fails (exit 1) on a page without a title,
// synopsis or parameters section, naming the file and the problem.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: dotnet run scripts/maml.cs -- <docs folder> <output .xml>");
    return 2;
}

XNamespaceSet ns = new();
var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
var pages = Directory.GetFiles(args[0], "*.md").OrderBy(f => f, StringComparer.Ordinal).ToList();
var commands = new List<Page>();
foreach (string file in pages)
{
    string text = File.ReadAllText(file).Replace("\r\n", "\n");
    if (!Regex.IsMatch(text, @"^---\n(.*\n)*?document type: cmdlet\n", RegexOptions.Multiline)) { continue; }
    try { commands.Add(Page.Parse(text)); }
    catch (FormatException ex)
    {
        Console.Error.WriteLine($"maml: {file}: {ex.Message}");
        return 1;
    }
}
if (commands.Count == 0)
{
    Console.Error.WriteLine($"maml: no cmdlet pages in {args[0]}");
    return 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
using (XmlWriter w = XmlWriter.Create(args[1], settings))
{
    w.WriteStartDocument();
    w.WriteStartElement("helpItems", "http://msh");
    w.WriteAttributeString("schema", "maml");
    foreach (Page p in commands) { p.Write(w, ns); }
    w.WriteEndElement();
    w.WriteEndDocument();
}
Console.WriteLine($"maml: {commands.Count} commands -> {args[1]}");
return 0;

sealed class XNamespaceSet
{
    public const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    public const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
}

sealed record Parameter(string Name, string Description, string Type, string Default, bool Globbing, string[] Aliases,
    List<(string Set, string Position, bool Required, bool ByValue, bool ByName)> Sets);

sealed record Example(string Title, string Code, string Remarks);

sealed record TypeNote(string Name, string Description);

sealed class Page
{
    public string Name = "";
    public string Synopsis = "";
    public string Description = "";
    public string Notes = "";
    public List<string> SetNames = new();
    public string? DefaultSet;
    public List<Parameter> Parameters = new();
    public bool Common;
    public List<Example> Examples = new();
    public List<TypeNote> Inputs = new();
    public List<TypeNote> Outputs = new();
    public List<(string Text, string Uri)> Links = new();

    public static Page Parse(string text)
    {
        var page = new Page();
        string body = Regex.Replace(text, @"\A---\n(.*\n)*?---\n", "");
        // Sections by "## ", subsections by "### " (never inside code fences).
        var sections = new List<(string Head, List<(string Sub, string Text)> Subs)>();
        string? h1 = null;
        bool fence = false;
        var current = new StringBuilder();
        string? sub = null;
        foreach (string line in body.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal)) { fence = !fence; }
            if (!fence && line.StartsWith("# ", StringComparison.Ordinal) && h1 is null) { h1 = line[2..].Trim(); continue; }
            if (!fence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                sections.Add((line[3..].Trim(), new List<(string, string)>()));
                sub = null;
                continue;
            }
            if (!fence && line.StartsWith("### ", StringComparison.Ordinal) && sections.Count > 0)
            {
                Flush();
                sub = line[4..].Trim();
                continue;
            }
            current.AppendLine(line);
        }
        Flush();

        void Flush()
        {
            if (sections.Count > 0) { sections[^1].Subs.Add((sub ?? "", current.ToString())); }
            current.Clear();
        }

        page.Name = h1 ?? throw new FormatException("no '# Name' title");
        string Section(string name) => string.Join("\n", sections.Where(s => s.Head == name).SelectMany(s => s.Subs).Where(x => x.Sub == "").Select(x => x.Text)).Trim();
        IEnumerable<(string Sub, string Text)> Subs(string name) => sections.Where(s => s.Head == name).SelectMany(s => s.Subs).Where(x => x.Sub != "");

        page.Synopsis = Section("SYNOPSIS");
        if (page.Synopsis.Length == 0) { throw new FormatException("empty SYNOPSIS"); }
        page.Description = Section("DESCRIPTION");
        page.Notes = Section("NOTES");
        foreach ((string s, _) in Subs("SYNTAX"))
        {
            string set = s.Replace("(Default)", "").Trim();
            if (s.Contains("(Default)", StringComparison.Ordinal)) { page.DefaultSet = set; }
            page.SetNames.Add(set);
        }
        if (!sections.Any(s => s.Head == "PARAMETERS")) { throw new FormatException("no PARAMETERS section"); }
        foreach ((string s, string t) in Subs("PARAMETERS"))
        {
            if (s == "CommonParameters") { page.Common = true; continue; }
            if (!s.StartsWith('-')) { continue; }
            page.Parameters.Add(ParseParameter(s[1..], t));
        }
        foreach ((string s, string t) in Subs("EXAMPLES"))
        {
            var code = new StringBuilder();
            var remarks = new StringBuilder();
            bool inCode = false;
            string lang = "";
            foreach (string line in t.Split('\n'))
            {
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    inCode = !inCode;
                    if (inCode) { lang = line[3..].Trim(); if (code.Length > 0) { code.AppendLine(); } }
                    continue;
                }
                if (inCode) { code.AppendLine(line); } else { remarks.AppendLine(line); }
            }
            page.Examples.Add(new Example(s, code.ToString().TrimEnd(), remarks.ToString().Trim()));
        }
        page.Inputs = Subs("INPUTS").Select(x => new TypeNote(x.Sub, x.Text.Trim())).ToList();
        page.Outputs = Subs("OUTPUTS").Select(x => new TypeNote(x.Sub, x.Text.Trim())).ToList();
        foreach (Match m in Regex.Matches(Section("RELATED LINKS"), @"\[([^\]]+)\]\(([^)]*)\)"))
        {
            page.Links.Add((m.Groups[1].Value, m.Groups[2].Value));
        }
        return page;
    }

    private static Parameter ParseParameter(string name, string text)
    {
        Match yaml = Regex.Match(text, "```yaml\n(.*?)```", RegexOptions.Singleline);
        string description = (yaml.Success ? text[..yaml.Index] : text).Trim();
        string y = yaml.Success ? yaml.Groups[1].Value : "";
        string Field(string key) => Regex.Match(y, "^" + key + @":[ \t]*(.*)$", RegexOptions.Multiline).Groups[1].Value.Trim().Trim('\'');
        var aliases = new List<string>();
        Match al = Regex.Match(y, @"^Aliases:[ \t]*\n((?:- .*\n)+)", RegexOptions.Multiline);
        if (al.Success) { aliases.AddRange(al.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(a => a.Trim()[1..].Trim())); }
        var sets = new List<(string, string, bool, bool, bool)>();
        foreach (Match m in Regex.Matches(y, @"^- Name: (.*)\n((?:  .*\n)*)", RegexOptions.Multiline))
        {
            string block = m.Groups[2].Value;
            string F(string key) => Regex.Match(block, @"^\s+" + key + @":[ \t]*(.*)$", RegexOptions.Multiline).Groups[1].Value.Trim();
            sets.Add((m.Groups[1].Value.Trim(), F("Position"), F("IsRequired") == "true", F("ValueFromPipeline") == "true", F("ValueFromPipelineByPropertyName") == "true"));
        }
        string type = Field("Type");
        return new Parameter(name, description, type.Length == 0 ? "System.Object" : type, Field("DefaultValue") is { Length: > 0 } d ? d : "None",
            Field("SupportsWildcards") == "true", aliases.ToArray(), sets);
    }

    public void Write(XmlWriter w, XNamespaceSet _)
    {
        const string M = XNamespaceSet.Maml, C = XNamespaceSet.Command, D = XNamespaceSet.Dev;
        w.WriteStartElement("command", "command", C);
        w.WriteAttributeString("xmlns", "maml", null, M);
        w.WriteAttributeString("xmlns", "dev", null, D);
        string[] vn = Name.Split('-', 2);
        w.WriteStartElement("details", C);
        w.WriteElementString("name", C, Name);
        w.WriteElementString("verb", C, vn[0]);
        w.WriteElementString("noun", C, vn.Length > 1 ? vn[1] : "");
        Paras(w, "description", M, Synopsis);
        w.WriteEndElement();
        Paras(w, "description", M, Description);

        w.WriteStartElement("syntax", C);
        List<string> sets = SetNames.Count == 0 ? new() { "__AllParameterSets" } : SetNames;
        foreach (string set in sets)
        {
            w.WriteStartElement("syntaxItem", C);
            w.WriteElementString("name", M, Name);
            foreach (Parameter p in Parameters)
            {
                var s = p.Sets.FirstOrDefault(x => x.Set == set || x.Set == "(All)" || (sets.Count == 1 && x.Set == "__AllParameterSets"));
                if (s.Set is null) { continue; }
                WriteParameter(w, p, s);
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("parameters", C);
        foreach (Parameter p in Parameters) { WriteParameter(w, p, p.Sets.FirstOrDefault()); }
        w.WriteEndElement();

        WriteTypes(w, "inputTypes", "inputType", Inputs);
        WriteTypes(w, "returnValues", "returnValue", Outputs);

        w.WriteStartElement("alertSet", M);
        w.WriteStartElement("alert", M);
        foreach (string para in Split(Notes)) { w.WriteElementString("para", M, para); }
        w.WriteEndElement();
        w.WriteEndElement();

        w.WriteStartElement("examples", C);
        foreach (Example e in Examples)
        {
            w.WriteStartElement("example", C);
            w.WriteElementString("title", M, "--------- " + e.Title + " ---------");
            w.WriteElementString("code", D, e.Code);
            w.WriteStartElement("remarks", D);
            foreach (string para in Split(e.Remarks)) { w.WriteElementString("para", M, para); }
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("relatedLinks", C);
        foreach ((string text, string uri) in Links)
        {
            w.WriteStartElement("navigationLink", M);
            w.WriteElementString("linkText", M, text);
            w.WriteElementString("uri", M, uri.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ? "" : uri);
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void WriteParameter(XmlWriter w, Parameter p, (string Set, string Position, bool Required, bool ByValue, bool ByName) s)
    {
        const string M = XNamespaceSet.Maml, C = XNamespaceSet.Command, D = XNamespaceSet.Dev;
        string pipeline = (s.ByValue, s.ByName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
        bool isSwitch = p.Type is "System.Management.Automation.SwitchParameter" or "SwitchParameter";
        w.WriteStartElement("parameter", C);
        w.WriteAttributeString("required", s.Required ? "true" : "false");
        w.WriteAttributeString("variableLength", "true");
        w.WriteAttributeString("globbing", p.Globbing ? "true" : "false");
        w.WriteAttributeString("pipelineInput", pipeline);
        w.WriteAttributeString("position", string.IsNullOrEmpty(s.Position) || s.Position == "Named" ? "named" : s.Position);
        w.WriteAttributeString("aliases", p.Aliases.Length == 0 ? "none" : string.Join(", ", p.Aliases));
        w.WriteElementString("name", M, p.Name);
        Paras(w, "description", M, p.Description);
        if (!isSwitch)
        {
            w.WriteStartElement("parameterValue", C);
            w.WriteAttributeString("required", "true");
            w.WriteAttributeString("variableLength", "false");
            w.WriteString(Short(p.Type));
            w.WriteEndElement();
        }
        w.WriteStartElement("type", D);
        w.WriteElementString("name", M, p.Type);
        w.WriteElementString("uri", M, "");
        w.WriteEndElement();
        w.WriteElementString("defaultValue", D, p.Default);
        w.WriteEndElement();
    }

    private static void WriteTypes(XmlWriter w, string outer, string inner, List<TypeNote> types)
    {
        const string M = XNamespaceSet.Maml, C = XNamespaceSet.Command, D = XNamespaceSet.Dev;
        w.WriteStartElement(outer, C);
        foreach (TypeNote t in types)
        {
            w.WriteStartElement(inner, C);
            w.WriteStartElement("type", D);
            w.WriteElementString("name", M, t.Name);
            w.WriteEndElement();
            Paras(w, "description", M, t.Description);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void Paras(XmlWriter w, string element, string ns, string text)
    {
        w.WriteStartElement(element, ns);
        foreach (string para in Split(text)) { w.WriteElementString("para", XNamespaceSet.Maml, para); }
        w.WriteEndElement();
    }

    /// <summary>Markdown paragraphs as plain text: lines joined, emphasis and code marks removed, fences kept as lines.</summary>
    private static IEnumerable<string> Split(string text)
    {
        foreach (string block in Regex.Split(text.Trim(), @"\n\s*\n"))
        {
            if (block.Length == 0) { continue; }
            bool code = block.TrimStart().StartsWith("```", StringComparison.Ordinal);
            string plain = code
                ? string.Join("\n", block.Split('\n').Where(l => !l.TrimStart().StartsWith("```", StringComparison.Ordinal)))
                : Regex.Replace(string.Join(" ", block.Split('\n').Select(l => l.Trim())), @"\*\*([^*]+)\*\*|`([^`]+)`", m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);
            yield return plain;
        }
    }

    private static string Short(string type) => type.Contains('.') ? type[(type.LastIndexOf('.') + 1)..] : type;
}
