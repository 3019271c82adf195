using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Reflection;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// Everything the tests need from OpenClaw.PowerShell.dll, read once through a <see cref="MetadataLoadContext"/>:
/// the assembly is inspected as metadata and never loaded for execution (it targets netstandard2.0 and
/// System.Management.Automation, which this test process does not have). The context is disposed before the tests run;
/// what remains is plain data.
/// </summary>
internal sealed class ModuleInspection
{
    private const string Sma = "System.Management.Automation.";

    private static readonly Lazy<ModuleInspection> s_module = new(() => Load(TestPaths.CmdletAssembly, TestPaths.SmaAssembly));

    private ModuleInspection(string assemblyFileName, IReadOnlyList<CmdletModel> cmdlets, IReadOnlyDictionary<string, TypeModel> publicTypes,
        IReadOnlyList<string> referenceVerbs)
    {
        AssemblyFileName = assemblyFileName;
        Cmdlets = cmdlets;
        PublicTypes = publicTypes;
        ReferenceVerbs = referenceVerbs;
    }

    /// <summary>The module assembly under test (see <see cref="TestPaths.CmdletAssembly"/>).</summary>
    public static ModuleInspection Module => s_module.Value;

    /// <summary>File name of the inspected assembly (OpenClaw.PowerShell.dll).</summary>
    public string AssemblyFileName { get; }

    /// <summary>Every class with [Cmdlet], and every concrete Cmdlet subclass without it.</summary>
    public IReadOnlyList<CmdletModel> Cmdlets { get; }

    /// <summary>Public types of the module assembly by full name.</summary>
    public IReadOnlyDictionary<string, TypeModel> PublicTypes { get; }

    /// <summary>The verbs declared as constants on System.Management.Automation.Verbs* in the reference assembly.</summary>
    public IReadOnlyList<string> ReferenceVerbs { get; }

    public static ModuleInspection Load(string assemblyPath, string smaPath)
    {
        // One path per simple name: the running runtime's assemblies (the BCL and netstandard.dll facade), then
        // System.Management.Automation, then the module's own folder for anything else (OpenClaw.Node.dll, ...).
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string file in Directory.EnumerateFiles(Path.GetDirectoryName(assemblyPath)!, "*.dll")) { paths[Path.GetFileNameWithoutExtension(file)] = file; }
        paths["System.Management.Automation"] = smaPath;
        string runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        foreach (string file in Directory.EnumerateFiles(runtimeDir, "*.dll")) { paths[Path.GetFileNameWithoutExtension(file)] = file; }
        paths[Path.GetFileNameWithoutExtension(assemblyPath)] = assemblyPath;

        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths.Values), typeof(object).Assembly.GetName().Name);
        Assembly assembly = context.LoadFromAssemblyPath(assemblyPath);
        Type[] types;
        try { types = assembly.GetTypes(); }
        catch (ReflectionTypeLoadException ex)
        {
            string why = string.Join("; ", ex.LoaderExceptions.Where(e => e is not null).Select(e => e!.Message).Distinct());
            throw new InvalidOperationException($"Could not read the types of '{assemblyPath}': {why}", ex);
        }

        var publicTypes = types.Where(t => t.IsPublic || t.IsNestedPublic)
            .ToDictionary(t => t.FullName!, t => new TypeModel(t.FullName!, PublicProperties(t)), StringComparer.Ordinal);
        var cmdlets = types.Where(t => t.IsClass && (Attribute(t, "CmdletAttribute") is not null || (!t.IsAbstract && DerivesFrom(t, Sma + "Cmdlet"))))
            .Select(t => ToCmdlet(t, assembly))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();

        Assembly sma = context.LoadFromAssemblyName("System.Management.Automation");
        var verbs = sma.GetTypes()
            .Where(t => t.IsPublic && t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType.FullName == "System.String")
            .Select(f => (string)f.GetRawConstantValue()!)
            .OrderBy(v => v, StringComparer.Ordinal)
            .ToList();

        return new ModuleInspection(Path.GetFileName(assemblyPath), cmdlets, publicTypes, verbs);
    }

    private static CmdletModel ToCmdlet(Type type, Assembly module)
    {
        CustomAttributeData? cmdlet = Attribute(type, "CmdletAttribute");
        string verb = cmdlet is null ? string.Empty : (string)cmdlet.ConstructorArguments[0].Value!;
        string noun = cmdlet is null ? string.Empty : (string)cmdlet.ConstructorArguments[1].Value!;
        bool shouldProcess = cmdlet is not null && Named(cmdlet, "SupportsShouldProcess") is true;

        var outputs = new List<OutputTypeModel>();
        foreach (CustomAttributeData output in type.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute"))
        {
            foreach (CustomAttributeTypedArgument item in Items(output.ConstructorArguments[0]))
            {
                outputs.Add(item.Value switch
                {
                    Type t => new OutputTypeModel(t.FullName!, t.Assembly == module),
                    string name => new OutputTypeModel(name, module.GetType(name) is not null),
                    _ => new OutputTypeModel(Convert.ToString(item.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "?", false),
                });
            }
        }

        var parameters = new List<ParameterModel>();
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance;
        IEnumerable<MemberInfo> members = type.GetProperties(Flags).Cast<MemberInfo>().Concat(type.GetFields(Flags));
        foreach (MemberInfo member in members)
        {
            var sets = member.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Sma + "ParameterAttribute").Select(ToSet).ToList();
            if (sets.Count == 0) { continue; }
            Type memberType = member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;
            if (memberType.IsGenericType && memberType.GetGenericTypeDefinition().FullName == "System.Nullable`1") { memberType = memberType.GetGenericArguments()[0]; }
            var aliases = member.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Sma + "AliasAttribute")
                .SelectMany(a => a.ConstructorArguments.SelectMany(Items)).Select(v => (string)v.Value!).ToList();
            bool wildcards = member.GetCustomAttributesData().Any(a => a.AttributeType.FullName == Sma + "SupportsWildcardsAttribute");
            parameters.Add(new ParameterModel(member.Name, memberType.FullName ?? memberType.Name, memberType.Name, aliases, wildcards, sets));
        }

        return new CmdletModel(type.FullName!, cmdlet is not null, type.IsPublic || type.IsNestedPublic, type.IsSealed, type.IsAbstract,
            verb, noun, shouldProcess, outputs, parameters.OrderBy(p => p.Name, StringComparer.Ordinal).ToList());
    }

    private static ParameterSetModel ToSet(CustomAttributeData parameter)
    {
        int position = Named(parameter, "Position") is int p ? p : int.MinValue;
        return new ParameterSetModel(
            Named(parameter, "ParameterSetName") as string ?? ParameterSetModel.AllSets,
            Named(parameter, "Mandatory") is true,
            position == int.MinValue ? null : position,
            Named(parameter, "ValueFromPipeline") is true,
            Named(parameter, "ValueFromPipelineByPropertyName") is true);
    }

    private static IReadOnlyList<string> PublicProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();

    private static CustomAttributeData? Attribute(Type type, string name) =>
        type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == Sma + name);

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(a => a.MemberName == name).Select(a => a.TypedValue.Value).FirstOrDefault();

    /// <summary>The elements of a params-array constructor argument, or the argument itself.</summary>
    private static IEnumerable<CustomAttributeTypedArgument> Items(CustomAttributeTypedArgument argument) =>
        argument.Value is ReadOnlyCollection<CustomAttributeTypedArgument> items ? items : new[] { argument };

    private static bool DerivesFrom(Type type, string baseFullName)
    {
        for (Type? t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.FullName == baseFullName) { return true; }
        }
        return false;
    }
}
