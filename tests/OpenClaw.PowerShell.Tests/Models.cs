using System.Collections.Generic;

namespace OpenClaw.PowerShell.Tests;

/// <summary>A class carrying [Cmdlet] (or deriving from Cmdlet), as read from metadata. Plain data, so rules can be tested on hand-made values.</summary>
internal sealed record CmdletModel(
    string ClassName,
    bool HasCmdletAttribute,
    bool IsPublic,
    bool IsSealed,
    bool IsAbstract,
    string Verb,
    string Noun,
    bool SupportsShouldProcess,
    IReadOnlyList<OutputTypeModel> OutputTypes,
    IReadOnlyList<ParameterModel> Parameters)
{
    /// <summary>Verb-Noun, as Get-Command shows it.</summary>
    public string Name => Verb + "-" + Noun;

    public override string ToString() => Name + " (" + ClassName + ")";
}

/// <summary>One entry of an [OutputType] attribute.</summary>
/// <param name="FullName">The type's full name.</param>
/// <param name="DefinedInModule">True when the type is declared in OpenClaw.PowerShell.dll (and so needs a view).</param>
internal sealed record OutputTypeModel(string FullName, bool DefinedInModule);

/// <summary>A cmdlet parameter: a public property or field with one [Parameter] attribute per parameter set.</summary>
/// <param name="TypeFullName">The type, with Nullable&lt;T&gt; unwrapped (System.Int32, System.String[]).</param>
/// <param name="TypeName">The short type name (Int32, String[]).</param>
internal sealed record ParameterModel(
    string Name,
    string TypeFullName,
    string TypeName,
    IReadOnlyList<string> Aliases,
    bool SupportsWildcards,
    IReadOnlyList<ParameterSetModel> Sets);

/// <summary>The values of one [Parameter] attribute. <see cref="Position"/> is null when the parameter is named-only.</summary>
internal sealed record ParameterSetModel(
    string Name,
    bool Mandatory,
    int? Position,
    bool ValueFromPipeline,
    bool ValueFromPipelineByPropertyName)
{
    /// <summary>The set name PowerShell uses when [Parameter] names none.</summary>
    public const string AllSets = "__AllParameterSets";
}

/// <summary>A public type of the module assembly and its public instance properties (inherited ones included).</summary>
internal sealed record TypeModel(string FullName, IReadOnlyList<string> Properties);
