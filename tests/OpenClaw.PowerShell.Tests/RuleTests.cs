using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// Each rule on a known-good input (no violations) and on broken ones (the expected violation), so a rule that stops
/// biting fails here rather than passing silently on the real module.
/// </summary>
public sealed class RuleTests
{
    private static readonly ParameterModel Name = new("Name", "System.String[]", "String[]", new[] { "NodeName" }, true,
        new[] { new ParameterSetModel(ParameterSetModel.AllSets, false, 0, false, true) });

    private static readonly ParameterModel Token = new("Token", "System.Security.SecureString", "SecureString", Array.Empty<string>(), false,
        new[] { new ParameterSetModel(ParameterSetModel.AllSets, false, null, false, false) });

    private static readonly CmdletModel Good = new("OpenClaw.PowerShell.Commands.GetOpenClawNodeCommand", true, true, true, false, "Get", "OpenClawNode", false,
        new[] { new OutputTypeModel("OpenClaw.PowerShell.OpenClawNode", true) }, new[] { Name, Token });

    private const string GoodPage = """
        ---
        document type: cmdlet
        external help file: OpenClaw.PowerShell.dll-Help.xml
        Module Name: OpenClaw
        PlatyPS schema version: 2024-05-01
        title: Get-OpenClawNode
        ---

        # Get-OpenClawNode

        ## SYNOPSIS

        Gets nodes.

        ## SYNTAX

        ### __AllParameterSets

        ```
        Get-OpenClawNode [[-Name] <string[]>] [-Token <securestring>] [<CommonParameters>]
        ```

        ## DESCRIPTION

        Gets the nodes.

        ## EXAMPLES

        ### Example 1

        ```powershell
        Get-OpenClawNode
        ```

        ```
        ### -NotAParameter (a heading inside a code fence is ignored)
        ```

        ## PARAMETERS

        ### -Name

        The name.

        ```yaml
        Type: System.String[]
        DefaultValue: '*'
        SupportsWildcards: true
        Aliases:
        - NodeName
        ParameterSets:
        - Name: (All)
          Position: 0
          IsRequired: false
          ValueFromPipeline: false
          ValueFromPipelineByPropertyName: true
          ValueFromRemainingArguments: false
        DontShow: false
        ```

        ### -Token

        The token.

        ```yaml
        Type: System.Security.SecureString
        SupportsWildcards: false
        Aliases: []
        ParameterSets:
        - Name: (All)
          Position: Named
          IsRequired: false
          ValueFromPipeline: false
          ValueFromPipelineByPropertyName: false
        ```

        ### CommonParameters

        This cmdlet supports the common parameters.

        ## INPUTS

        ### System.String

        ## OUTPUTS

        ### OpenClaw.PowerShell.OpenClawNode
        """;

    private const string GoodFormat = """
        <Configuration><ViewDefinitions><View>
          <Name>OpenClawNode</Name>
          <ViewSelectedBy><TypeName>OpenClaw.PowerShell.OpenClawNode</TypeName></ViewSelectedBy>
          <TableControl>
            <TableHeaders><TableColumnHeader /><TableColumnHeader /></TableHeaders>
            <TableRowEntries><TableRowEntry><TableColumnItems>
              <TableColumnItem><PropertyName>Name</PropertyName></TableColumnItem>
              <TableColumnItem><PropertyName>Status</PropertyName></TableColumnItem>
            </TableColumnItems></TableRowEntry></TableRowEntries>
          </TableControl>
        </View></ViewDefinitions></Configuration>
        """;

    private const string GoodManifest = """
        @{
            RootModule = 'OpenClaw.PowerShell.dll'   # a comment
            CompatiblePSEditions = @('Desktop', 'Core')
            <# block
               comment #>
            CmdletsToExport = @(
                'Get-OpenClawNode'
            )
            FunctionsToExport = @()
            AliasesToExport = @()
            VariablesToExport = @()
            PrivateData = @{ PSData = @{ Tags = 'a', 'b'; ReleaseNotes = @'
        it's 'here'
        '@ } }
        }
        """;

    private static readonly Dictionary<string, TypeModel> ModuleTypes = new()
    {
        ["OpenClaw.PowerShell.OpenClawNode"] = new TypeModel("OpenClaw.PowerShell.OpenClawNode", new[] { "Name", "Status", "Gateway" }),
    };

    private static HelpPage Page(string text) => HelpPage.Parse("test.md", text.Replace("\r\n", "\n", StringComparison.Ordinal));

    private static void Bites(IEnumerable<string> violations, string expected)
    {
        var list = violations.ToList();
        Assert.True(list.Any(v => v.Contains(expected, StringComparison.Ordinal)),
            $"Expected a violation containing '{expected}', got: [{string.Join(" | ", list)}]");
    }

    [Fact]
    public void Good_inputs_pass_every_rule()
    {
        Assert.Empty(Rules.ClassShape(Good));
        Assert.Empty(Rules.Naming(Good, ApprovedVerbs.WindowsPowerShell51));
        Assert.Empty(Rules.OutputType(Good));
        Assert.Empty(Rules.Secrets(Good));
        Assert.Empty(Rules.Help(Good, Page(GoodPage)));
        Assert.Empty(Rules.Formats(new[] { Good }, ModuleTypes, FormatFile.Parse(GoodFormat)));
        Dictionary<string, object?> manifest = PowerShellDataFile.Parse(GoodManifest);
        Assert.Empty(Rules.ManifestExports(manifest));
        Assert.Empty(Rules.ManifestEditions(manifest));
        Assert.Empty(Rules.ExportsMatchCmdlets(new[] { Good }, manifest));
    }

    [Fact]
    public void The_data_file_reader_reads_nested_values_comma_lists_and_here_strings()
    {
        Dictionary<string, object?> manifest = PowerShellDataFile.Parse(GoodManifest);
        var psData = (Dictionary<string, object?>)((Dictionary<string, object?>)manifest["PrivateData"]!)["PSData"]!;
        Assert.Equal(new[] { "a", "b" }, PowerShellDataFile.Strings(psData, "Tags"));
        Assert.Equal("it's 'here'", psData["ReleaseNotes"]);
        Assert.Equal(new[] { "Get-OpenClawNode" }, PowerShellDataFile.Strings(manifest, "cmdletstoexport"));
        Assert.Equal("a'b", PowerShellDataFile.Parse("@{ A = 'a''b' }")["A"]);
        Assert.Throws<FormatException>(() => PowerShellDataFile.Parse("@{ A = 1; A = 2 }"));
        Assert.Throws<FormatException>(() => PowerShellDataFile.Parse("@{ A = $env:PATH }"));
    }

    [Fact]
    public void Class_shape_bites()
    {
        Bites(Rules.ClassShape(Good with { IsSealed = false }), "must be sealed");
        Bites(Rules.ClassShape(Good with { IsPublic = false }), "must be public");
        Bites(Rules.ClassShape(Good with { HasCmdletAttribute = false }), "no [Cmdlet] attribute");
    }

    [Theory]
    [InlineData("Execute", "OpenClawNode", "not an approved verb")]
    [InlineData("Build", "OpenClawNode", "not an approved verb")]   // 6+ only
    [InlineData("Deploy", "OpenClawNode", "not an approved verb")]  // 6+ only
    [InlineData("get", "OpenClawNode", "write the verb as 'Get'")]
    [InlineData("Get", "Node", "must start with 'OpenClaw'")]
    [InlineData("Get", "OpenClaw", "must start with 'OpenClaw'")]
    [InlineData("Get", "OpenClaw-Node", "PascalCase")]
    public void Naming_bites(string verb, string noun, string expected)
    {
        Bites(Rules.Naming(Good with { Verb = verb, Noun = noun }, ApprovedVerbs.WindowsPowerShell51), expected);
    }

    [Fact]
    public void Output_type_bites()
    {
        Bites(Rules.OutputType(Good with { OutputTypes = Array.Empty<OutputTypeModel>() }), "no [OutputType]");
    }

    [Theory]
    [InlineData("Token", "System.String", null)]
    [InlineData("GatewayPassword", "System.String", null)]
    [InlineData("Secret", "System.String", "Token")]
    [InlineData("Token", "System.String[]", null)]
    public void Secrets_bite(string name, string type, string? alias)
    {
        var plain = Token with { Name = name, TypeFullName = type, Aliases = alias is null ? Array.Empty<string>() : new[] { alias } };
        Bites(Rules.Secrets(Good with { Parameters = new[] { plain } }), "must be a SecureString or PSCredential");
        Assert.Empty(Rules.Secrets(Good with { Parameters = new[] { plain with { TypeFullName = "System.Management.Automation.PSCredential" } } }));
    }

    [Theory]
    [InlineData("'Get-OpenClawNode'", "'*'", "wildcard '*'")]
    [InlineData("FunctionsToExport = @()", "FunctionsToExport = 'Get-*'", "wildcard 'Get-*'")]
    [InlineData("VariablesToExport = @()", "", "VariablesToExport is missing")]
    public void Manifest_exports_bite(string find, string replace, string expected)
    {
        string broken = GoodManifest.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(GoodManifest, broken);
        Bites(Rules.ManifestExports(PowerShellDataFile.Parse(broken)), expected);
    }

    [Fact]
    public void Manifest_editions_bite()
    {
        var manifest = PowerShellDataFile.Parse(GoodManifest.Replace("@('Desktop', 'Core')", "'Core'", StringComparison.Ordinal));
        Bites(Rules.ManifestEditions(manifest), "must list 'Desktop'");
        manifest.Remove("CompatiblePSEditions");
        Bites(Rules.ManifestEditions(manifest), "must list 'Core'");
    }

    [Fact]
    public void Exports_match_bites()
    {
        Dictionary<string, object?> manifest = PowerShellDataFile.Parse(GoodManifest);
        Bites(Rules.ExportsMatchCmdlets(new[] { Good, Good with { Verb = "Set" } }, manifest), "Set-OpenClawNode is a cmdlet but not in CmdletsToExport");
        Bites(Rules.ExportsMatchCmdlets(Array.Empty<CmdletModel>(), manifest), "not a cmdlet of the module");
    }

    [Theory]
    [InlineData("### -Token\n", "### -Tokn\n", "parameter -Token is not documented")]
    [InlineData("### -Token\n", "### -Tokn\n", "documents -Tokn, which Get-OpenClawNode does not have")]
    [InlineData("[-Token <securestring>] ", "", "SYNTAX section does not mention -Token")]
    [InlineData("Type: System.Security.SecureString", "Type: System.String", "Type is 'System.String'")]
    [InlineData("Aliases:\n- NodeName", "Aliases: []", "Aliases are []")]
    [InlineData("SupportsWildcards: true", "SupportsWildcards: false", "SupportsWildcards should be true")]
    [InlineData("  Position: 0", "  Position: Named", "Position is 'Named', the parameter has 0")]
    [InlineData("  ValueFromPipelineByPropertyName: true", "  ValueFromPipelineByPropertyName: false", "ValueFromPipelineByPropertyName should be true")]
    [InlineData("- Name: (All)\n  Position: 0", "- Name: ByName\n  Position: 0", "ParameterSets has no entry '(All)'")]
    [InlineData("external help file: OpenClaw.PowerShell.dll-Help.xml", "external help file: OpenClaw-Help.xml", "'external help file' must be")]
    [InlineData("PlatyPS schema version: 2024-05-01\n", "", "PlatyPS schema version")]
    [InlineData("# Get-OpenClawNode\n", "# Get-OpenClawNodes\n", "the first heading must be")]
    [InlineData("### Example 1\n", "", "add at least one example")]
    [InlineData("Gets the nodes.", "", "DESCRIPTION section is missing or empty")]
    public void Help_bites(string find, string replace, string expected)
    {
        string text = GoodPage.Replace("\r\n", "\n", StringComparison.Ordinal);
        string broken = text.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(text, broken);
        Bites(Rules.Help(Good, Page(broken)), expected);
    }

    [Fact]
    public void Help_bites_when_the_page_is_missing_and_allows_WhatIf_only_with_ShouldProcess()
    {
        Bites(Rules.Help(Good, null), "has no help page docs/Get-OpenClawNode.md");
        string withWhatIf = GoodPage.Replace("### CommonParameters", "### -WhatIf\n\nShows what would happen.\n\n### CommonParameters", StringComparison.Ordinal);
        Bites(Rules.Help(Good, Page(withWhatIf)), "documents -WhatIf");
        Assert.Empty(Rules.Help(Good with { SupportsShouldProcess = true }, Page(withWhatIf)));
    }

    [Theory]
    [InlineData("<TypeName>OpenClaw.PowerShell.OpenClawNode</TypeName>", "<TypeName>OpenClawNode</TypeName>", "has no view keyed on its full name")]
    [InlineData("<PropertyName>Status</PropertyName>", "<PropertyName>State</PropertyName>", "has no property 'State'")]
    [InlineData("<TableColumnHeader /><TableColumnHeader />", "<TableColumnHeader />", "1 column headers but a row with 2 items")]
    [InlineData("<PropertyName>Status</PropertyName>", "<ScriptBlock>$_.Status</ScriptBlock>", "uses a ScriptBlock")]
    [InlineData("<TypeName>OpenClaw.PowerShell.OpenClawNode</TypeName>", "<TypeName>OpenClaw.PowerShell.OpenClawNode</TypeName><TypeName>OpenClaw.PowerShell.Gone</TypeName>", "selects OpenClaw.PowerShell.Gone, which the module does not define")]
    public void Formats_bite(string find, string replace, string expected)
    {
        string broken = GoodFormat.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(GoodFormat, broken);
        Bites(Rules.Formats(new[] { Good }, ModuleTypes, FormatFile.Parse(broken)), expected);
    }
}
