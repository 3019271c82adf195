using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Policy;

/// <summary>
/// Reads <c>HKLM\SOFTWARE\Policies\OpenClaw</c> (64-bit view, also from a 32-bit process such as Intune's 32-bit
/// PowerShell) into the policy JSON that <see cref="MachinePolicyLayer.FromJson"/> parses. Value names are listed on
/// <see cref="MachinePolicyLoader"/>. Windows only; elsewhere returns null.
/// </summary>
internal static class RegistryPolicy
{
    /// <summary>The key as policy JSON, or null when the key does not exist or holds no known value.</summary>
    /// <exception cref="MachinePolicyException">A value has the wrong type, or the key cannot be read.</exception>
    public static JsonObject? Read(string keyPath, string source)
    {
#if NET
        if (!OperatingSystem.IsWindows()) { return null; }
#else
        if (!HostPlatform.IsWindows) { return null; }
#endif
        try
        {
            return ReadWindows(keyPath, source);
        }
        catch (Exception ex) when (ex is System.Security.SecurityException or UnauthorizedAccessException or System.IO.IOException)
        {
            throw new MachinePolicyException(source, $"The machine policy key '{source}' cannot be read: {ex.Message}");
        }
    }

#if NET
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
    private static JsonObject? ReadWindows(string keyPath, string source)
    {
        using var hklm = Microsoft.Win32.RegistryKey.OpenBaseKey(Microsoft.Win32.RegistryHive.LocalMachine, Microsoft.Win32.RegistryView.Registry64);
        using Microsoft.Win32.RegistryKey? key = hklm.OpenSubKey(keyPath, writable: false);
        if (key is null) { return null; }
        var root = new JsonObject { ["version"] = 1 };
        var gateway = new JsonObject();
        Copy(key, "GatewayHost", gateway, "host", source, Kind.String);
        Copy(key, "GatewayPort", gateway, "port", source, Kind.Number);
        Copy(key, "GatewayTls", gateway, "tls", source, Kind.Bool);
        Copy(key, "TlsFingerprint", gateway, "tlsFingerprint", source, Kind.String);
        if (gateway.Count > 0) { root["gateway"] = gateway; }
        Copy(key, "DisplayNamePattern", root, "displayNamePattern", source, Kind.String);
        Copy(key, "LogLevel", root, "logLevel", source, Kind.String);
        using (Microsoft.Win32.RegistryKey? exec = key.OpenSubKey("ExecApprovals", writable: false))
        {
            if (exec is not null)
            {
                var e = new JsonObject();
                string s = source + @"\ExecApprovals";
                Copy(exec, "MaxSecurity", e, "maxSecurity", s, Kind.String);
                Copy(exec, "MinAsk", e, "minAsk", s, Kind.String);
                Copy(exec, "MaxAskFallback", e, "maxAskFallback", s, Kind.String);
                Copy(exec, "AutoAllowSkills", e, "autoAllowSkills", s, Kind.Bool);
                Copy(exec, "AllowedPatterns", e, "allowedPatterns", s, Kind.List);
                Copy(exec, "DeniedCommands", e, "deniedCommands", s, Kind.List);
                if (e.Count > 0) { root["execApprovals"] = e; }
            }
        }
        return root.Count > 1 ? root : null;
    }

    private enum Kind { String, Number, Bool, List }

#if NET
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
    private static void Copy(Microsoft.Win32.RegistryKey key, string name, JsonObject into, string field, string source, Kind kind)
    {
        object? v = key.GetValue(name);
        if (v is null) { return; }
        Exception Bad(string type) => new MachinePolicyException(source, $"The machine policy value '{source}\\{name}' must be {type}. Fix it with Group Policy or reg.exe; the node refuses to run while it is wrong.");
        switch (kind)
        {
            case Kind.String:
                into[field] = v as string ?? throw Bad("a string (REG_SZ)");
                break;
            case Kind.Number:
                into[field] = v is int n ? n : throw Bad("a number (REG_DWORD)");
                break;
            case Kind.Bool:
                into[field] = v is int b && (b == 0 || b == 1) ? b == 1 : throw Bad("0 or 1 (REG_DWORD)");
                break;
            default:
                into[field] = v is string[] list ? Json.ToArray(list) : throw Bad("a list of strings (REG_MULTI_SZ)");
                break;
        }
    }
}
