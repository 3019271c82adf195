using System;
using System.IO;
#if NET
using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;
#endif

namespace OpenClaw.Node.Internal;

/// <summary>User-only ACLs on Windows: protected (no inheritance), full control for the current user and SYSTEM.</summary>
internal static class WindowsAcl
{
    public static void RestrictToCurrentUser(string path, bool directory)
    {
#if NET
        if (!OperatingSystem.IsWindows()) { return; }
        Apply(path, directory);
#else
        // Windows PowerShell 5.1: icacls is part of every Windows install; no shell is involved.
        string user = Environment.UserDomainName + "\\" + Environment.UserName;
        var psi = new System.Diagnostics.ProcessStartInfo("icacls.exe")
        {
            Arguments = ProcessArgs.Quote(new[] { path, "/inheritance:r", "/grant:r", user + ":(F)", "/grant:r", "*S-1-5-18:(F)" }),
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { throw new IOException($"Could not restrict the access control list of '{path}'."); }
#endif
    }

#if NET
    [SupportedOSPlatform("windows")]
    private static void Apply(string path, bool directory)
    {
        SecurityIdentifier user = WindowsIdentity.GetCurrent().User!;
        var system = new SecurityIdentifier(WellKnownSidType.LocalSystemSid, null);
        if (directory)
        {
            var sec = new DirectorySecurity();
            sec.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
            var inherit = InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit;
            sec.AddAccessRule(new FileSystemAccessRule(user, FileSystemRights.FullControl, inherit, PropagationFlags.None, AccessControlType.Allow));
            sec.AddAccessRule(new FileSystemAccessRule(system, FileSystemRights.FullControl, inherit, PropagationFlags.None, AccessControlType.Allow));
            new DirectoryInfo(path).SetAccessControl(sec);
        }
        else
        {
            var sec = new FileSecurity();
            sec.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
            sec.AddAccessRule(new FileSystemAccessRule(user, FileSystemRights.FullControl, AccessControlType.Allow));
            sec.AddAccessRule(new FileSystemAccessRule(system, FileSystemRights.FullControl, AccessControlType.Allow));
            new FileInfo(path).SetAccessControl(sec);
        }
    }
#endif
}
