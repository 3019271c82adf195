using System.Management.Automation;

namespace OpenClaw.PowerShell.Loading;

/// <summary>
/// Runs when PowerShell imports the module (before any cmdlet runs) and when it removes it: installs and removes the
/// assembly resolver that loads the engine (OpenClaw.Node.dll) and its dependencies from the module's
/// <c>Dependencies/</c> folder, isolated from other modules (see <see cref="DependencyResolver"/>). Touches no engine
/// type, so it runs before the engine can be found.
/// </summary>
public sealed class OpenClawModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <summary>Installs the resolver (idempotent; see <see cref="DependencyResolver.Install"/>).</summary>
    public void OnImport() => DependencyResolver.Install();

    /// <summary>Removes the resolver hook; an engine already loaded stays loaded (.NET cannot unload it here).</summary>
    /// <param name="psModuleInfo">The module being removed.</param>
    public void OnRemove(PSModuleInfo psModuleInfo) => DependencyResolver.Uninstall();
}
