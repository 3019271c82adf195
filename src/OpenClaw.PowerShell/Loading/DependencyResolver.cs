using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace OpenClaw.PowerShell.Loading;

/// <summary>
/// Loads the engine and its dependencies from <c>Dependencies/</c> next to this assembly, so that they never clash
/// with assemblies of other modules or of PowerShell itself (STYLE.md section 12):
/// <list type="bullet">
/// <item>PowerShell 7 (.NET): one private AssemblyLoadContext (<see cref="DependencyLoadContext"/>) holds the engine
/// and everything it needs from <c>Dependencies/</c>; a <c>Resolving</c> handler on the load context of this assembly
/// hands it OpenClaw.Node, the only dependency this assembly names.</item>
/// <item>Windows PowerShell 5.1 (.NET Framework): an <see cref="AppDomain.AssemblyResolve"/> handler answers only for
/// the assembly names present in <c>Dependencies/</c>, with that file whatever version was asked (.NET Framework has no
/// binding redirects for a module).</item>
/// </list>
/// Without a <c>Dependencies/</c> folder (the flat build output used by tests) nothing is installed. Never throws:
/// a failure to install is kept in <see cref="InstallError"/> and surfaces as the engine's load error.
/// </summary>
internal static class DependencyResolver
{
    /// <summary>Name of the folder next to this assembly that holds the engine and its dependencies.</summary>
    internal const string FolderName = "Dependencies";

    private static readonly object Gate = new();
    private static bool s_installed;

    /// <summary>The reason the last <see cref="Install"/> failed, or <see langword="null"/>.</summary>
    internal static Exception? InstallError { get; private set; }

    /// <summary>True on .NET (Core), false on .NET Framework.</summary>
    internal static bool IsNetCore => typeof(object).Assembly.GetName().Name == "System.Private.CoreLib";

    /// <summary>The <c>Dependencies/</c> folder next to this assembly.</summary>
    internal static string DependencyFolder =>
        Path.Combine(Path.GetDirectoryName(typeof(DependencyResolver).Assembly.Location) ?? ".", FolderName);

    /// <summary>Installs the resolver for this process once; later calls do nothing until <see cref="Uninstall"/>.</summary>
    internal static void Install()
    {
        lock (Gate)
        {
            if (s_installed) { return; }
            try
            {
                string folder = DependencyFolder;
                if (!Directory.Exists(folder)) { return; }
                if (IsNetCore) { InstallCore(folder); } else { InstallDesktop(folder); }
                s_installed = true;
                InstallError = null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException or TypeLoadException or MissingMethodException)
            {
                InstallError = ex;
            }
        }
    }

    /// <summary>Removes the hook installed by <see cref="Install"/>.</summary>
    internal static void Uninstall()
    {
        lock (Gate)
        {
            if (!s_installed) { return; }
            if (IsNetCore) { UninstallCore(); } else { DesktopResolver.Uninstall(); }
            s_installed = false;
        }
    }

    // Separate, never-inlined methods: on .NET Framework the JIT must never compile a method that names
    // AssemblyLoadContext (System.Runtime.Loader does not exist there).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void InstallCore(string folder) => CoreResolver.Install(folder);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UninstallCore() => CoreResolver.Uninstall();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void InstallDesktop(string folder) => DesktopResolver.Install(folder);

    /// <summary>The assemblies in <paramref name="folder"/> by simple name (case-insensitive), path as value.</summary>
    internal static Dictionary<string, string> ScanFolder(string folder)
    {
        var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string path in Directory.GetFiles(folder, "*.dll"))
        {
            files[Path.GetFileNameWithoutExtension(path)] = path;
        }
        return files;
    }
}

/// <summary>Windows PowerShell 5.1: <see cref="AppDomain.AssemblyResolve"/> for the names in <c>Dependencies/</c>.</summary>
internal static class DesktopResolver
{
    private static Dictionary<string, string> s_files = new(StringComparer.OrdinalIgnoreCase);

    internal static void Install(string folder)
    {
        s_files = DependencyResolver.ScanFolder(folder);
        AppDomain.CurrentDomain.AssemblyResolve += OnResolve;
    }

    internal static void Uninstall() => AppDomain.CurrentDomain.AssemblyResolve -= OnResolve;

    /// <summary>Answers with our file for one of our names, any version asked (the module's own binding redirect);
    /// <see langword="null"/> for every other name, so other modules' resolvers and PowerShell's stay in charge.</summary>
    internal static Assembly? OnResolve(object? sender, ResolveEventArgs args)
    {
        string? name = SafeName(args.Name);
        if (name is null || !s_files.TryGetValue(name, out string? path)) { return null; }
        foreach (Assembly loaded in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!loaded.IsDynamic && string.Equals(SafeLocation(loaded), path, StringComparison.OrdinalIgnoreCase)) { return loaded; }
        }
        return Assembly.LoadFrom(path);
    }

    private static string? SafeName(string fullName)
    {
        try { return new AssemblyName(fullName).Name; }
        catch (Exception ex) when (ex is ArgumentException or FileLoadException) { return null; }
    }

    private static string? SafeLocation(Assembly a)
    {
        try { return a.Location; }
        catch (NotSupportedException) { return null; }
    }
}
