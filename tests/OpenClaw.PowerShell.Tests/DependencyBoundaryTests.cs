using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>A MetadataLoadContext over the compiled cmdlet assembly, its engine and System.Management.Automation.</summary>
internal sealed class MetadataContext : IDisposable
{
    private readonly MetadataLoadContext _context;

    private MetadataContext(MetadataLoadContext context, Assembly module)
    {
        _context = context;
        Module = module;
    }

    public Assembly Module { get; }

    public static MetadataContext Open()
    {
        string assemblyPath = TestPaths.CmdletAssembly;
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string file in Directory.EnumerateFiles(Path.GetDirectoryName(assemblyPath)!, "*.dll")) { paths[Path.GetFileNameWithoutExtension(file)] = file; }
        paths["System.Management.Automation"] = TestPaths.SmaAssembly;
        foreach (string file in Directory.EnumerateFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "*.dll")) { paths[Path.GetFileNameWithoutExtension(file)] = file; }
        var context = new MetadataLoadContext(new PathAssemblyResolver(paths.Values), typeof(object).Assembly.GetName().Name);
        return new MetadataContext(context, context.LoadFromAssemblyPath(assemblyPath));
    }

    public void Dispose() => _context.Dispose();
}

/// <summary>
/// The cmdlet assembly loads in PowerShell's own context while the engine and its dependencies load from
/// Dependencies/ in an isolated one. That only holds if the cmdlet assembly names no dependency but the engine (a
/// System.Text.Json reference would bind to PowerShell's copy) and exposes no engine type to PowerShell.
/// </summary>
public sealed class DependencyBoundaryTests
{
    [Fact]
    public void The_cmdlet_assembly_references_only_netstandard_PowerShell_the_loader_API_and_the_engine()
    {
        using var pe = new PEReader(File.OpenRead(TestPaths.CmdletAssembly));
        MetadataReader md = pe.GetMetadataReader();
        string[] refs = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "OpenClaw.Node", "System.Management.Automation", "System.Runtime.Loader", "netstandard" }, refs);
    }

    [Fact]
    public void No_public_type_or_member_of_the_cmdlet_assembly_names_an_engine_type()
    {
        using var mlc = MetadataContext.Open();
        var problems = new List<string>();
        const BindingFlags Visible = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Type t in mlc.Module.GetExportedTypes())
        {
            void Check(Type? type, string where)
            {
                if (type is null) { return; }
                foreach (Type part in Flatten(type))
                {
                    if (part.Assembly != mlc.Module && part.Assembly.GetName().Name is not ("netstandard" or "System.Management.Automation" or "System.Private.CoreLib"))
                    {
                        problems.Add($"{t.FullName}: {where} uses {part.FullName} from {part.Assembly.GetName().Name}");
                    }
                }
            }
            Check(t.BaseType, "base type");
            foreach (Type i in t.GetInterfaces()) { Check(i, "interface"); }
            foreach (PropertyInfo p in t.GetProperties(Visible).Where(p => IsVisible(p.GetMethod) || IsVisible(p.SetMethod))) { Check(p.PropertyType, "property " + p.Name); }
            foreach (FieldInfo f in t.GetFields(Visible).Where(f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly)) { Check(f.FieldType, "field " + f.Name); }
            foreach (MethodBase m in t.GetMethods(Visible).Cast<MethodBase>().Concat(t.GetConstructors(Visible)).Where(IsVisible))
            {
                if (m is MethodInfo mi) { Check(mi.ReturnType, "return of " + m.Name); }
                foreach (ParameterInfo p in m.GetParameters()) { Check(p.ParameterType, $"parameter {p.Name} of {m.Name}"); }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }

    /// <summary>PowerShell loads every type of the module assembly before it runs the module initializer that makes the
    /// engine loadable; a type whose base type, interface or field layout needs an engine type would fail there.</summary>
    [Fact]
    public void Every_type_of_the_cmdlet_assembly_can_be_loaded_without_the_engine()
    {
        using var mlc = MetadataContext.Open();
        var problems = new List<string>();
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Type t in mlc.Module.GetTypes())
        {
            bool Engine(Type x) => Flatten(x).Any(p => p.Assembly.GetName().Name == "OpenClaw.Node");
            if (t.BaseType is not null && Engine(t.BaseType)) { problems.Add($"{t.FullName}: base type {t.BaseType}"); }
            foreach (Type i in t.GetInterfaces().Where(Engine)) { problems.Add($"{t.FullName}: interface {i}"); }
            // Reference-type fields are laid out without loading their type; value-type fields (engine enums and
            // structs, also in closures and state machines) are not.
            foreach (FieldInfo f in t.GetFields(All).Where(f => f.FieldType.IsValueType && Engine(f.FieldType)))
            {
                problems.Add($"{t.FullName}: field {f.Name} of engine value type {f.FieldType}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static bool IsVisible(MethodBase? m) => m is not null && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly);

    private static IEnumerable<Type> Flatten(Type t)
    {
        if (t.HasElementType) { foreach (Type e in Flatten(t.GetElementType()!)) { yield return e; } yield break; }
        if (t.IsGenericParameter) { yield break; }
        if (t.IsGenericType)
        {
            yield return t.GetGenericTypeDefinition();
            foreach (Type a in t.GetGenericArguments()) { foreach (Type e in Flatten(a)) { yield return e; } }
            yield break;
        }
        yield return t;
    }
}
