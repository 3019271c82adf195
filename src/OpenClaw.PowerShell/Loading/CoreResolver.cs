using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace OpenClaw.PowerShell.Loading;

/// <summary>
/// PowerShell 7: the engine's private <see cref="DependencyLoadContext"/>, reached through a <c>Resolving</c> handler
/// on the load context of this assembly (PowerShell's default context) for the name OpenClaw.Node only. Only used on
/// .NET; never loaded on .NET Framework.
/// </summary>
internal static class CoreResolver
{
    /// <summary>The simple name of the engine assembly, the one dependency the cmdlet assembly itself names.</summary>
    internal const string EngineName = "OpenClaw.Node";

    private static DependencyLoadContext? s_context;
    private static AssemblyLoadContext? s_parent;

    /// <summary>The private context, once created (kept across Remove-Module/Import-Module: one engine per process).</summary>
    internal static DependencyLoadContext? Context => s_context;

    internal static void Install(string folder)
    {
        s_context ??= new DependencyLoadContext(folder);
        s_parent = AssemblyLoadContext.GetLoadContext(typeof(CoreResolver).Assembly) ?? AssemblyLoadContext.Default;
        s_parent.Resolving += OnResolving;
    }

    internal static void Uninstall()
    {
        if (s_parent is not null) { s_parent.Resolving -= OnResolving; }
        s_parent = null;
    }

    private static Assembly? OnResolving(AssemblyLoadContext context, AssemblyName name) =>
        string.Equals(name.Name, EngineName, StringComparison.OrdinalIgnoreCase) && s_context is not null
            ? s_context.LoadFromAssemblyName(name)
            : null;
}

/// <summary>
/// The engine's private load context. It loads every assembly found in <c>Dependencies/</c> from there, except
/// assemblies of the running .NET itself (its shared-framework folder) that are at least the requested version:
/// those are shared with PowerShell, so framework types (Span, IAsyncDisposable, System.Text.Json on .NET 9+) stay
/// one type. Names not in <c>Dependencies/</c> fall back to the default context (the framework, PowerShell).
/// Native libraries that its assemblies import (<c>e_sqlite3</c> for Import-OpenClawNodeState) come from
/// <c>Dependencies/native/</c>, which PowerShell's own probing (its deps.json, the pwsh folder) never looks at.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    /// <summary>The subfolder of <c>Dependencies/</c> holding the native libraries of the packaged runtime (package.sh).</summary>
    internal const string NativeFolderName = "native";

    private readonly Dictionary<string, string> _files;
    private readonly Dictionary<string, Version?> _framework;
    private readonly string _native;

    /// <summary>Creates the context over <paramref name="folder"/>.</summary>
    internal DependencyLoadContext(string folder)
    {
        _files = DependencyResolver.ScanFolder(folder);
        _framework = FrameworkAssemblies();
        _native = Path.Combine(folder, NativeFolderName);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A <c>DllImport</c> from one of our assemblies (e.g. <c>e_sqlite3</c> of SQLitePCLRaw) is looked up in
    /// <c>Dependencies/native/</c> under the platform's file names (<c>libe_sqlite3.so</c>, <c>libe_sqlite3.dylib</c>,
    /// <c>e_sqlite3.dll</c>); anything not there falls back to the runtime's normal probing (zero).
    /// </remarks>
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (string candidate in DependencyPolicy.NativeFileNames(unmanagedDllName))
        {
            string path = Path.Combine(_native, candidate);
            if (File.Exists(path)) { return LoadUnmanagedDllFromPath(path); }
        }
        return IntPtr.Zero;
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string? name = assemblyName.Name;
        if (name is null || !_files.TryGetValue(name, out string? path)) { return null; }
        return DependencyPolicy.ShareWithFramework(assemblyName.Version, _framework.TryGetValue(name, out Version? v), v)
            ? null
            : LoadFromAssemblyPath(path);
    }

    /// <summary>The assemblies of the running .NET's shared framework (the folder of System.Private.CoreLib) by simple name.</summary>
    private static Dictionary<string, Version?> FrameworkAssemblies()
    {
        var result = new Dictionary<string, Version?>(StringComparer.OrdinalIgnoreCase);
        string? frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location);
        if (string.IsNullOrEmpty(frameworkDir)) { return result; }
        string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        foreach (string path in tpa.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!string.Equals(Path.GetDirectoryName(path), frameworkDir, StringComparison.OrdinalIgnoreCase)) { continue; }
            Version? version = null;
            try { version = AssemblyName.GetAssemblyName(path).Version; }
            catch (Exception ex) when (ex is IOException or BadImageFormatException or UnauthorizedAccessException or ArgumentException) { }
            result[Path.GetFileNameWithoutExtension(path)] = version;
        }
        return result;
    }
}

/// <summary>The pure decisions of the resolvers, kept apart so they can be unit-tested.</summary>
internal static class DependencyPolicy
{
    /// <summary>True when an assembly we ship should come from the running framework instead: the framework has it,
    /// at the requested version or later.</summary>
    internal static bool ShareWithFramework(Version? requested, bool inFramework, Version? frameworkVersion) =>
        inFramework && frameworkVersion is not null && (requested is null || frameworkVersion >= requested);

    /// <summary>
    /// The file names a native library imported as <paramref name="name"/> may have on this platform: the name itself
    /// when it already has an extension, else <c>lib{name}.so</c> (Linux), <c>lib{name}.dylib</c> (macOS) or
    /// <c>{name}.dll</c> (Windows), then the bare name. Never a path: a name with a directory part gives nothing.
    /// </summary>
    internal static IReadOnlyList<string> NativeFileNames(string name)
    {
        if (string.IsNullOrEmpty(name) || name.IndexOfAny(new[] { '/', '\\' }) >= 0 || name.Contains("..")) { return Array.Empty<string>(); }
        var names = new List<string>();
        if (Path.HasExtension(name) && (name.EndsWith(".so", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".dylib", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)))
        {
            names.Add(name);
            return names;
        }
        if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)) { names.Add(name + ".dll"); }
        else if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX)) { names.Add("lib" + name + ".dylib"); names.Add(name + ".dylib"); }
        else { names.Add("lib" + name + ".so"); names.Add(name + ".so"); }
        names.Add(name);
        return names;
    }
}
