using System;
using System.Runtime.InteropServices;

namespace OpenClaw.Node.Internal;

/// <summary>The operating system as the gateway's command policy names it (spec §4.3).</summary>
internal static class HostPlatform
{
    public static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
    public static bool IsMacOS => RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
    public static bool IsLinux => RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

    /// <summary>Canonical <c>client.platform</c>: <c>linux</c>, <c>windows</c> or <c>macos</c>.</summary>
    public static string Platform => IsWindows ? "windows" : IsMacOS ? "macos" : "linux";

    /// <summary>Canonical <c>client.deviceFamily</c> paired with <see cref="Platform"/>: <c>Linux</c>, <c>Windows</c> or <c>Mac</c>.</summary>
    public static string DeviceFamily => IsWindows ? "Windows" : IsMacOS ? "Mac" : "Linux";

    /// <summary>Path comparisons follow the platform (case-insensitive on Windows).</summary>
    public static StringComparison PathComparison => IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static string HomeDirectory
    {
        get
        {
            string? home = Environment.GetEnvironmentVariable(IsWindows ? "USERPROFILE" : "HOME");
            if (string.IsNullOrEmpty(home)) { home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile); }
            return home!;
        }
    }
}
