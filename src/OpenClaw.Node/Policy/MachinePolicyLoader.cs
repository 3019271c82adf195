using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Policy;

/// <summary>
/// Reads the machine policy (see <see cref="MachinePolicy"/>) from its machine-scope source, plus an optional additional
/// file:
/// <list type="bullet">
/// <item>Windows: the registry key <c>HKLM\SOFTWARE\Policies\OpenClaw</c> (GPO / Intune ADMX ingestion / reg.exe),
/// values <c>GatewayHost</c> (REG_SZ), <c>GatewayPort</c> (REG_DWORD), <c>GatewayTls</c> (REG_DWORD 0/1),
/// <c>TlsFingerprint</c>, <c>DisplayNamePattern</c>, <c>LogLevel</c> (REG_SZ) and under the subkey
/// <c>ExecApprovals</c>: <c>MaxSecurity</c>, <c>MinAsk</c>, <c>MaxAskFallback</c> (REG_SZ), <c>AutoAllowSkills</c>
/// (REG_DWORD), <c>AllowedPatterns</c>, <c>DeniedCommands</c> (REG_MULTI_SZ). Only administrators can write there.</item>
/// <item>Linux and macOS: <c>/etc/openclaw/policy.json</c> (JSON, see <see cref="MachinePolicyLayer.Parse"/>). It must be
/// a regular file owned by root, not writable by group or others, in a root-owned folder that only root can write;
/// otherwise it is not policy (anyone could have written it) and the node refuses to run, naming the fix.</item>
/// <item><c>OPENCLAW_POLICY_FILE</c> (or an explicit path, for tests and per-service tightening): a second JSON layer
/// that applies ON TOP of the machine source. Since every layer applies, a user who sets the variable can only tighten
/// the policy, never loosen it; the file must be owned by root or the current user and not writable by others.</item>
/// </list>
/// Missing sources mean no policy. Never throws: a broken source yields <see cref="MachinePolicy.Error"/>.
/// </summary>
public static class MachinePolicyLoader
{
    /// <summary>The environment variable naming an additional (tighten-only) policy file.</summary>
    public const string EnvironmentVariable = "OPENCLAW_POLICY_FILE";

    /// <summary>The machine policy file on Linux and macOS.</summary>
    public const string UnixPolicyFile = "/etc/openclaw/policy.json";

    /// <summary>The machine policy registry key on Windows (under HKEY_LOCAL_MACHINE).</summary>
    public const string RegistryKeyPath = @"SOFTWARE\Policies\OpenClaw";

    /// <summary>Loads the policy in force.</summary>
    /// <param name="additionalFile">An additional policy file; null reads <see cref="EnvironmentVariable"/>.</param>
    /// <param name="machineFile">Overrides the machine file path (tests only; the registry is read on Windows when null).</param>
    public static MachinePolicy Load(string? additionalFile = null, string? machineFile = null)
    {
        var layers = new List<MachinePolicyLayer>();
        var checkedSources = new List<string>();
        try
        {
            if (machineFile is null && HostPlatform.IsWindows)
            {
                checkedSources.Add(@"HKLM\" + RegistryKeyPath);
                if (ReadRegistry() is MachinePolicyLayer reg) { layers.Add(reg); }
            }
            else
            {
                string path = machineFile ?? UnixPolicyFile;
                checkedSources.Add(path);
                if (ReadFile(path, machine: true) is MachinePolicyLayer file) { layers.Add(file); }
            }
            string? extra = additionalFile ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(extra))
            {
                string path = Path.GetFullPath(extra!.Trim());
                checkedSources.Add(path);
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    // Named but missing: refusing is the safe reading (the variable was set to restrict something).
                    throw new MachinePolicyException(path, $"The policy file '{path}' named by {EnvironmentVariable} does not exist. Create it or unset {EnvironmentVariable}.");
                }
                if (ReadFile(path, machine: false) is MachinePolicyLayer file) { layers.Add(file); }
            }
        }
        catch (MachinePolicyException ex)
        {
            return MachinePolicy.Broken(ex.Message, checkedSources);
        }
        return new MachinePolicy(layers, null, checkedSources);
    }

    /// <summary>Reads one policy file, or null when it does not exist.</summary>
    /// <param name="path">The file.</param>
    /// <param name="machine">True for the machine file: owner and folder must be root. False: owner root or the current user.</param>
    /// <exception cref="MachinePolicyException">The file is unsafe, unreadable or malformed.</exception>
    public static MachinePolicyLayer? ReadFile(string path, bool machine)
    {
        if (!File.Exists(path) && !State.SecureFile.IsLink(path))
        {
            if (Directory.Exists(path)) { throw new MachinePolicyException(path, $"The machine policy '{path}' is a folder, not a file. Remove it or put the policy JSON there."); }
            return null;
        }
        CheckOwnership(path, machine);
        string text;
        try { text = File.ReadAllText(path, new UTF8Encoding(false, true)); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new MachinePolicyException(path, $"The machine policy '{path}' cannot be read: {ex.Message} Make it readable (mode 0644, owned by root).");
        }
        return MachinePolicyLayer.Parse(text, path);
    }

    /// <summary>
    /// Refuses a policy file anyone but root (or, for an additional file, the current user) could have written: a
    /// symbolic link, another owner, group/other write permission, or (machine file) a folder others can write.
    /// No check on Windows (the registry is the machine source there).
    /// </summary>
    /// <exception cref="MachinePolicyException">The file is not trustworthy.</exception>
    public static void CheckOwnership(string path, bool machine)
    {
        if (HostPlatform.IsWindows) { return; }
        if (State.SecureFile.IsLink(path))
        {
            throw new MachinePolicyException(path, $"The machine policy '{path}' is a symbolic link, so it is not policy. Replace it with a regular file owned by root (mode 0644).");
        }
        uint? uid = FileOwner.Uid(path);
        uint me = FileOwner.EffectiveUid();
        if (uid is null)
        {
            throw new MachinePolicyException(path, $"The owner of the machine policy '{path}' cannot be determined on this system, so it cannot be trusted as policy.");
        }
        if (uid != 0 && (machine || uid != me))
        {
            throw new MachinePolicyException(path, $"The machine policy '{path}' is owned by uid {uid}, not root{(machine ? string.Empty : " or the current user")}, so it is not policy. Run 'chown root:root {path}' after checking its contents.");
        }
        if (FilePermissions.IsWritableByOthers(path))
        {
            throw new MachinePolicyException(path, $"The machine policy '{path}' is writable by users other than its owner, so it is not policy. Run 'chmod 644 {path}' after checking its contents.");
        }
        if (machine)
        {
            string? dir = Path.GetDirectoryName(path);
            if (dir is not null && Directory.Exists(dir))
            {
                if (FileOwner.Uid(dir) is uint du && du != 0)
                {
                    throw new MachinePolicyException(path, $"The folder '{dir}' of the machine policy is owned by uid {du}, not root, so the policy could be replaced. Run 'chown root:root {dir}'.");
                }
                if (FilePermissions.IsWritableByOthers(dir))
                {
                    throw new MachinePolicyException(path, $"The folder '{dir}' of the machine policy is writable by users other than root, so the policy could be replaced. Run 'chmod 755 {dir}'.");
                }
            }
        }
    }

    private static MachinePolicyLayer? ReadRegistry()
    {
        string source = @"HKLM\" + RegistryKeyPath;
        JsonObject? root = RegistryPolicy.Read(RegistryKeyPath, source);
        return root is null ? null : MachinePolicyLayer.FromJson(root, source);
    }
}
