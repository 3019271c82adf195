using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace OpenClaw.PowerShell.Tests;

/// <summary>The views of a *.Format.ps1xml file, as much of them as the rules check.</summary>
internal sealed class FormatFile
{
    private FormatFile(IReadOnlyList<FormatView> views) => Views = views;

    public IReadOnlyList<FormatView> Views { get; }

    public static FormatFile Parse(string xml)
    {
        XDocument doc = XDocument.Parse(xml);
        if (doc.Root?.Name.LocalName != "Configuration") { throw new FormatException("The root element of a format file must be <Configuration>."); }
        var views = doc.Root.Elements("ViewDefinitions").Elements("View").Select(v => new FormatView(
            (string?)v.Element("Name") ?? string.Empty,
            v.Elements("ViewSelectedBy").Elements("TypeName").Select(t => t.Value.Trim()).ToList(),
            v.Elements().Where(e => e.Name.LocalName.EndsWith("Control", StringComparison.Ordinal)).Select(e => e.Name.LocalName).FirstOrDefault(),
            v.Descendants("PropertyName").Select(p => p.Value.Trim()).ToList(),
            v.Descendants("ScriptBlock").Any(),
            v.Elements("TableControl").Elements("TableHeaders").Elements("TableColumnHeader").Count(),
            v.Elements("TableControl").Elements("TableRowEntries").Elements("TableRowEntry")
                .Select(r => r.Elements("TableColumnItems").Elements("TableColumnItem").Count()).ToList())).ToList();
        return new FormatFile(views);
    }
}

/// <summary>One &lt;View&gt;: its type names, control kind, every PropertyName it uses, and the table shape.</summary>
internal sealed record FormatView(
    string Name,
    IReadOnlyList<string> TypeNames,
    string? Control,
    IReadOnlyList<string> PropertyNames,
    bool UsesScriptBlock,
    int TableHeaderCount,
    IReadOnlyList<int> TableRowItemCounts);
